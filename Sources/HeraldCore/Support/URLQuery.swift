/// The query of a URL written as text (`https://host/path?a=1&token=…#frag`), read as written:
/// its `name=value` pairs between `?` and `#`, values still percent-encoded, nil for a name
/// without `=`. For finding what a URL may carry (masking, summaries), not for routing.
package enum URLQuery {
    package static func parameters(of url: some StringProtocol) -> [(name: Substring, value: Substring?)] {
        let text = Substring(url)
        guard let mark = text.firstIndex(of: "?") else { return [] }
        return text[text.index(after: mark)...].prefix { $0 != "#" }.split(separator: "&").map { parameter in
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (parts[0], parts.count == 2 ? parts[1] : nil)
        }
    }
}
