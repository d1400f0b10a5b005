import HeraldCore

/// One compiled operation of a step's `patch:` list.
struct KratosPatchOperation: Sendable {
    /// The operations Kratos applies; it refuses `move`, `copy` and `test` with
    /// "unsupported operation" (oryx/jsonx/patch.go).
    enum Kind: String, Sendable, CaseIterable {
        case add, replace, remove
    }

    let kind: Kind
    let path: KratosPatchPath
    /// Nil for `remove`.
    let value: KratosPatchValue?

    /// The operations sent for this one. A `remove` becomes an `add` of null and then the
    /// `remove`: Kratos answers 400 to the removal of a missing key, so a plain `remove` could not
    /// be repeated after an attempt that may have applied it, nor target a key that was never set.
    func rendered(_ event: Event, report: inout RenderReport) -> [JSON] {
        let path = JSON.string(path.pointer)
        switch kind {
        case .add, .replace:
            let value = value?.render(event, report: &report) ?? .null
            return [["op": .string(kind.rawValue), "path": path, "value": value]]
        case .remove:
            return [["op": "add", "path": path, "value": nil], ["op": "remove", "path": path]]
        }
    }
}
