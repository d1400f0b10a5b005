import Glibc

/// The files an `include:` pattern names, in the order their drop-ins apply.
///
/// A relative `pattern` is taken from the directory of `configFile`. Results are sorted by file
/// name (byte order of the last path component, then of the whole path), whatever order
/// `glob()` returns, so `include: routes.d/*.yaml` applies `10-a.yaml` before `20-b.yaml`.
/// Names starting with a dot are not matched by wildcards (editor swap files stay out).
///
/// - Parameters:
///   - pattern: a path, possibly with `*`, `?` or `[…]` wildcards.
///   - configFile: the file that contains the `include:`.
/// - Returns: the matching paths; empty when a wildcard pattern matches nothing.
/// - Throws: `ConfigFileError.unreadable` when a pattern without wildcards names no file;
///   `ConfigFileError.badPattern` when a directory cannot be read or the pattern is invalid.
package func expandInclude(_ pattern: String, relativeTo configFile: String) throws(ConfigFileError) -> [String] {
    let full = path(pattern, relativeToDirectoryOf: configFile)
    guard full.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else {
        var status = stat()
        guard stat(full, &status) == 0 else { throw .unreadable(path: full, reason: errnoText(errno)) }
        return [full]
    }

    var matches = glob_t()
    defer { globfree(&matches) }
    // A directory that cannot be read is an error rather than silently fewer drop-ins; one that
    // does not exist is just no match.
    let result = glob(full, GLOB_NOSORT, { _, code in code == ENOENT || code == ENOTDIR ? 0 : 1 }, &matches)
    switch result {
    case 0:
        break
    case GLOB_NOMATCH:
        return []
    case GLOB_ABORTED:
        throw .badPattern(pattern: full, reason: "a directory in it cannot be read")
    case GLOB_NOSPACE:
        throw .badPattern(pattern: full, reason: "out of memory")
    default:
        throw .badPattern(pattern: full, reason: "glob() failed with code \(result)")
    }
    var paths: [String] = []
    for index in 0..<Int(matches.gl_pathc) {
        // Route tests live beside the routes they test (`herald test`); they are not routes.
        if let pointer = matches.gl_pathv[index], !isRouteTestFile(String(cString: pointer)) {
            paths.append(String(cString: pointer))
        }
    }
    return paths.sorted(by: fileNameOrder)
}

/// Byte order of the last path component, then of the whole path.
private func fileNameOrder(_ lhs: String, _ rhs: String) -> Bool {
    let left = lastComponent(lhs)
    let right = lastComponent(rhs)
    if left != right {
        return left.lexicographicallyPrecedes(right)
    }
    return Array(lhs.utf8).lexicographicallyPrecedes(Array(rhs.utf8))
}

private func lastComponent(_ path: String) -> [UInt8] {
    let bytes = Array(path.utf8)
    guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return bytes }
    return Array(bytes[(slash + 1)...])
}

/// Whether `path` names a route test file (`*.test.yaml`), which `include` globs skip.
package func isRouteTestFile(_ path: String) -> Bool {
    path.hasSuffix(".test.yaml") || path.hasSuffix(".test.yml")
}

/// The route test files (`*.test.yaml`, `*.test.yml`) in `directories`, in file-name order.
package func routeTestFiles(in directories: [String]) -> [String] {
    var files: [String] = []
    for directory in Set(directories).sorted() {
        for pattern in ["*.test.yaml", "*.test.yml"] {
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(directory + "/" + pattern, 0, nil, &matches) == 0 else { continue }
            for index in 0..<Int(matches.gl_pathc) {
                if let pointer = matches.gl_pathv[index] { files.append(String(cString: pointer)) }
            }
        }
    }
    return files.sorted(by: fileNameOrder)
}
