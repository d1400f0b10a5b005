import FoundationEssentials
import HeraldConfig

/// Where Kratos reaches Herald: `http://127.0.0.1:4470`, or what `--url` says (a TLS proxy in
/// front, `https://herald.example.com/herald`).
package struct KratosBaseURL: Sendable, Equatable, CustomStringConvertible {
    /// Without a trailing slash.
    package let text: String

    /// Why no URL could be made; the CLI prints it as a usage error.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// Validates `--url`: `http` or `https`, a host, no query, fragment or credentials.
    ///
    /// - Throws: `Problem` naming what is wrong.
    package init(parsing text: String) throws(Problem) {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, components.user == nil, components.password == nil
        else {
            throw Problem(
                description: "--url must be an http or https URL without query or credentials, such as "
                    + "https://herald.internal.example.com; found '\(text)'")
        }
        self.text = trimmed
    }

    /// `http://host:port` of the first listener. A wildcard address becomes loopback (Kratos on the
    /// same machine); a unix socket or port 0 cannot be reached by URL.
    ///
    /// - Throws: `Problem` asking for `--url`.
    package init(listeners: [ListenAddress]) throws(Problem) {
        guard let first = listeners.first else { throw Problem(description: "no listener is configured; give --url") }
        switch first {
        case .unix(let path):
            throw Problem(
                description: "the first listener is the unix socket \(path), which Kratos cannot call by URL; give "
                    + "--url with the address of the proxy in front of it")
        case .tcp(let host, let port):
            guard port != 0 else {
                throw Problem(description: "the first listener has port 0 (any free port); give --url")
            }
            let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
            text = reachable.contains(":") ? "http://[\(reachable)]:\(port)" : "http://\(reachable):\(port)"
        }
    }

    /// True for `http://` to anything but loopback: the ingress credential would cross a network
    /// in clear text.
    package var isPlainTextOverNetwork: Bool {
        guard text.lowercased().hasPrefix("http://"), let host = URLComponents(string: text)?.host else {
            return false
        }
        return !(host.hasPrefix("127.") || host == "localhost" || host == "[::1]" || host == "::1")
    }

    package var description: String { text }
}
