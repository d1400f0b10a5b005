/// File paths as text, the way `NSString`'s path methods split them (FoundationEssentials has no
/// public equivalent): `"etc/tests/a.yaml"` is in `"etc/tests"` and named `"a.yaml"`.
package enum PathText {
    /// Everything before the last component: `""` for a bare name, `"/"` for a name at the root.
    package static func directory(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return String(withoutTrailingSlashes(String(trimmed[..<slash])))
    }

    /// The last component, without trailing slashes.
    package static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        if trimmed == "/" { return "/" }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    private static func withoutTrailingSlashes(_ path: String) -> Substring {
        var text = path[...]
        while text.count > 1, text.hasSuffix("/") { text = text.dropLast() }
        return text
    }
}
