import HeraldCore

/// Applies a JSON Patch (RFC 6902) to an identity document the way Kratos v26.2.0 does
/// (`oryx/jsonx.ApplyJSONPatch` over evanphx/json-patch v5.9.11):
///
/// - only `add`, `remove` and `replace`: anything else is "unsupported operation: …";
/// - the denied paths `/id`, `/stateChangedAt`, `/credentials` and `/credentials/oidc/**`,
///   matched without regard to case;
/// - a `replace` whose last segment is not an array index becomes an `add`;
/// - `add` creates missing parents (`EnsurePathExistsOnAdd`), and a parent that is JSON null counts
///   as missing: an object, or an empty array when the next segment is all digits or `-`; a
///   parent that is a string, number or boolean is "invalid state detected";
/// - `remove` of a missing key or under a missing parent fails.
///
/// Not modelled: negative array indexes and the null padding of arrays that `EnsurePathExistsOnAdd`
/// does for an index past the end (Herald never sends array indexes); such operations fail here.
package enum KratosJSONPatch {
    /// Why a patch was not applied; `message` is the text Kratos puts in `error.message`.
    package struct Failure: Error, Sendable, Equatable {
        package let message: String
    }

    /// The path globs Kratos' `patch` handler denies, as of v26.2.0.
    package static let deniedPaths = ["/id", "/stateChangedAt", "/credentials", "/credentials/oidc/**"]

    /// `document` with `patch` applied, all or nothing.
    ///
    /// - Throws: `Failure` for a malformed operation, a denied path or an operation that does not
    ///   apply.
    package static func apply(_ patch: [JSON], to document: JSON) throws(Failure) -> JSON {
        var operations: [(op: String, path: String, segments: [String], value: JSON?)] = []
        for operation in patch {
            guard let object = operation.object else { throw Failure(message: "invalid operation") }
            let op = object["op"]?.string ?? "unknown"
            guard ["add", "remove", "replace"].contains(op) else {
                throw Failure(message: "unsupported operation: \(op)")
            }
            guard let path = object["path"]?.string else {
                throw Failure(message: "error parsing patch operations: operation missing path field: missing value")
            }
            if isDenied(path) { throw Failure(message: "patch includes denied path: \(path)") }
            guard let segments = segments(path) else {
                throw Failure(
                    message: "\(op) operation does not apply: doc is missing path: \"\(path)\": missing value")
            }
            let kind = op == "replace" && !isIndex(segments.last ?? "") ? "add" : op
            if kind != "remove", object["value"] == nil {
                throw Failure(message: "invalid operation: failed to decode 'value': missing value")
            }
            operations.append((kind, path, segments, object["value"]))
        }
        var result = document
        for operation in operations {
            switch operation.op {
            case "add":
                try add(operation.value ?? .null, at: operation.segments[...], in: &result, path: operation.path)
            case "remove":
                try remove(at: operation.segments[...], in: &result, path: operation.path)
            default:
                try replaceIndex(
                    operation.value ?? .null, at: operation.segments[...], in: &result, path: operation.path)
            }
        }
        return result
    }

    /// Case-insensitive glob match against `deniedPaths` (`**` crosses `/`).
    static func isDenied(_ path: String) -> Bool {
        let lowered = path.lowercased()
        return deniedPaths.contains { glob in
            let pattern = glob.lowercased()
            if pattern.hasSuffix("/**") { return lowered.hasPrefix(String(pattern.dropLast(2))) }
            return lowered == pattern
        }
    }

    /// The unescaped segments of a pointer; nil when it does not start with `/`.
    static func segments(_ path: String) -> [String]? {
        guard path.hasPrefix("/") else { return nil }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func isIndex(_ segment: String) -> Bool {
        segment == "-" || (!segment.isEmpty && segment.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
    }

    private static func add(_ value: JSON, at segments: ArraySlice<String>, in node: inout JSON, path: String)
        throws(Failure)
    {
        let key = segments[segments.startIndex]
        let rest = segments.dropFirst()
        if rest.isEmpty {
            switch node {
            case .object(var object):
                object[key] = value
                node = .object(object)
            case .array(var items):
                if key == "-" {
                    items.append(value)
                } else if let index = Int(key), index >= 0, index <= items.count {
                    items.insert(value, at: index)
                } else {
                    throw Failure(
                        message: "error in add for path: '\(path)': Unable to access invalid index: \(key): "
                            + "invalid index referenced")
                }
                node = .array(items)
            default:
                throw Failure(message: "invalid state detected")
            }
            return
        }
        switch node {
        case .object(var object):
            // A missing or null parent is made: an array when the next segment is an index.
            var child = object[key] ?? .null
            if child == .null { child = isIndex(rest[rest.startIndex]) ? .array([]) : .object(JSONObject()) }
            try add(value, at: rest, in: &child, path: path)
            object[key] = child
            node = .object(object)
        case .array(var items):
            guard let index = Int(key), items.indices.contains(index) else {
                throw Failure(
                    message: "add operation does not apply: doc is missing path: \"\(path)\": missing value")
            }
            var child = items[index]
            if child == .null { child = isIndex(rest[rest.startIndex]) ? .array([]) : .object(JSONObject()) }
            try add(value, at: rest, in: &child, path: path)
            items[index] = child
            node = .array(items)
        default:
            throw Failure(message: "invalid state detected")
        }
    }

    private static func remove(at segments: ArraySlice<String>, in node: inout JSON, path: String) throws(Failure) {
        let key = segments[segments.startIndex]
        let rest = segments.dropFirst()
        let missingPath = Failure(
            message: "remove operation does not apply: doc is missing path: \"\(path)\": missing value")
        switch node {
        case .object(var object):
            if rest.isEmpty {
                guard object.removeValue(forKey: key) != nil else {
                    throw Failure(
                        message: "error in remove for path: '\(path)': unable to remove nonexistent key: \(key): "
                            + "missing value")
                }
            } else {
                guard var child = object[key], child != .null else { throw missingPath }
                try remove(at: rest, in: &child, path: path)
                object[key] = child
            }
            node = .object(object)
        case .array(var items):
            guard let index = Int(key), items.indices.contains(index) else {
                throw rest.isEmpty
                    ? Failure(
                        message: "error in remove for path: '\(path)': Unable to access invalid index: \(key): "
                            + "invalid index referenced") : missingPath
            }
            if rest.isEmpty {
                items.remove(at: index)
            } else {
                try remove(at: rest, in: &items[index], path: path)
            }
            node = .array(items)
        default:
            throw missingPath
        }
    }

    /// A `replace` left as such: its last segment is an array index.
    private static func replaceIndex(
        _ value: JSON, at segments: ArraySlice<String>, in node: inout JSON, path: String
    ) throws(Failure) {
        let key = segments[segments.startIndex]
        let rest = segments.dropFirst()
        let missing = Failure(message: "replace operation does not apply: doc is missing path: \(path): missing value")
        switch node {
        case .object(var object):
            guard var child = object[key], child != .null || rest.isEmpty else { throw missing }
            if rest.isEmpty {
                object[key] = value
            } else {
                try replaceIndex(value, at: rest, in: &child, path: path)
                object[key] = child
            }
            node = .object(object)
        case .array(var items):
            guard let index = Int(key), items.indices.contains(index) else {
                throw Failure(message: "replace operation does not apply: doc is missing key: \(path): missing value")
            }
            if rest.isEmpty {
                items[index] = value
            } else {
                try replaceIndex(value, at: rest, in: &items[index], path: path)
            }
            node = .array(items)
        default:
            throw missing
        }
    }
}
