/// A JSON Pointer (RFC 6901) that a Herald patch may target: under `/metadata_admin`,
/// `/metadata_public`, `/traits` or `/state`, naming object keys only.
///
/// Kratos applies patches with `EnsurePathExistsOnAdd` (evanphx/json-patch v5): a missing or null
/// parent becomes an object, but one whose next segment is all digits or `-` becomes an *array*
/// padded with nulls, and a `replace` of an array index stays a `replace`. A key such as `2024`
/// would therefore build `[null, null, …]`, and `-` appends again on every retry; so such segments
/// are refused when the config loads.
struct KratosPatchPath: Sendable, Hashable, CustomStringConvertible {
    static let roots = ["metadata_admin", "metadata_public", "traits", "state"]

    /// The pointer as written (escaped), as Kratos receives it.
    let pointer: String
    /// The unescaped segments; the first is one of `roots`.
    let segments: [String]

    var description: String { pointer }
    var root: String { segments[0] }

    /// Parses `pointer`, or says what is wrong with it.
    static func parse(_ pointer: String) -> Result<KratosPatchPath, Problem> {
        guard pointer.hasPrefix("/") else {
            return .failure(Problem("a JSON Pointer starting with '/', such as /metadata_admin/email_undeliverable"))
        }
        var segments: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = unescape(raw) else {
                return .failure(Problem("escaped as RFC 6901 says: '~' written ~0, a '/' inside a key ~1"))
            }
            segments.append(segment)
        }
        guard let root = segments.first, roots.contains(root) else {
            return .failure(
                Problem("under /metadata_admin, /metadata_public, /traits or /state (Herald changes nothing else)"))
        }
        if root == "state", segments.count > 1 {
            return .failure(Problem("/state itself: the state is 'active' or 'inactive', it has no keys"))
        }
        for segment in segments.dropFirst() {
            if segment.isEmpty {
                return .failure(Problem("made of non-empty keys (found an empty segment)"))
            }
            if segment == "-" || segment.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                return .failure(
                    Problem(
                        "made of object keys: Kratos reads '\(segment)' as an array index (an all-digit key "
                            + "builds an array padded with nulls, '-' appends again on every retry)"))
            }
        }
        return .success(KratosPatchPath(pointer: pointer, segments: segments))
    }

    /// RFC 6901 §4: `~1` is `/`, `~0` is `~`; any other `~` is malformed.
    static func unescape(_ raw: Substring) -> String? {
        guard raw.contains("~") else { return String(raw) }
        var result = ""
        var iterator = raw.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: return nil
            }
        }
        return result
    }

    /// Why a pointer cannot be used; reads after "'path' must be ".
    struct Problem: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }
}
