import Foundation
import HeraldCore

/// A real SMTP server on loopback for the smtp plugin's tests: scripts/smtp-test-server, which runs
/// aiosmtpd (from PyPI, installed by scripts/setup), with a self-signed certificate made by the
/// `openssl` command for each server.
///
/// ```swift
/// let server = try SmtpTestServer(tls: .startTLS, login: ("herald", "pw"), greylist: 1)
/// defer { server.stop() }
/// // url: smtp://127.0.0.1:\(server.port), ca_file: server.certificate
/// let message = try #require(server.messages.first)
/// ```
package final class SmtpTestServer: Sendable {
    /// How the server protects connections.
    package enum Security: String, Sendable {
        case startTLS = "starttls"
        case implicitTLS = "implicit"
        case none
    }

    /// One message the server accepted.
    package struct Message: Sendable {
        /// The bytes as received (after the dot-unstuffing), CRLF line ends.
        package let text: String
        package let mailFrom: String
        package let recipients: [String]
        /// The AUTH login, nil without AUTH.
        package let login: String?
        /// `PLAIN` or `LOGIN`, nil without AUTH.
        package let mechanism: String?
        /// True when the message arrived over TLS (STARTTLS or implicit).
        package let overTLS: Bool

        /// The value of the first header `name` (unfolded), nil when absent.
        package func header(_ name: String) -> String? {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            for line in head.components(separatedBy: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    /// Why the server cannot run here, nil when it can: python3 must import aiosmtpd and the
    /// `openssl` command must exist.
    package static var unavailableReason: String? {
        if !PythonTestServer.succeeds(["python3", "-c", "import aiosmtpd"]) {
            return "python3 cannot import aiosmtpd (pip install aiosmtpd, as scripts/setup --ops does)"
        }
        if !PythonTestServer.succeeds(["openssl", "version"]) { return "the openssl command is missing (apt-get install openssl)" }
        return nil
    }

    package var port: Int { server.port }
    package let directory: URL
    /// The server's self-signed certificate (PEM), for `ca_file`; its names are 127.0.0.1 and
    /// localhost.
    package let certificate: String
    private let server: PythonTestServer

    /// Starts a server and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - port: 0 for a free one.
    ///   - login: the only user and password AUTH accepts; nil offers no AUTH.
    ///   - greylist: the first this many RCPT commands get 451 4.7.1.
    ///   - rejecting: addresses whose RCPT gets 550 5.1.1.
    ///   - certificate: the certificate and key to serve; nil makes a new pair.
    /// - Throws: when the server does not start.
    package init(
        tls: Security = .startTLS, port: Int = 0, login: (user: String, password: String)? = nil, greylist: Int = 0,
        rejecting: [String] = [], certificate: (certificate: String, key: String)? = nil
    ) throws {
        directory = try makeTemporaryDirectory("herald-smtp")
        let mail = directory.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        let pair = try certificate ?? Self.makeCertificate()
        self.certificate = pair.certificate
        let key = pair.key
        var arguments = [
            "--directory", mail.path, "--port", String(port), "--tls", tls.rawValue, "--cert", self.certificate,
            "--key", key, "--greylist", String(greylist),
        ]
        if let login { arguments += ["--user", login.user, "--password", login.password] }
        for address in rejecting { arguments += ["--reject", address] }
        server = try PythonTestServer(
            script: ReferenceFiles.packageRoot + "/scripts/smtp-test-server", arguments: arguments,
            failure: { SmtpTestServerError(reason: "smtp-test-server did not start: \($0)") })
    }

    /// A self-signed certificate (PEM) for 127.0.0.1 and localhost and its key, in a new
    /// temporary directory.
    ///
    /// - Throws: when openssl fails.
    package static func makeCertificate() throws -> (certificate: String, key: String) {
        let directory = try makeTemporaryDirectory("herald-smtp-tls")
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        guard
            PythonTestServer.succeeds([
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        else { throw SmtpTestServerError(reason: "openssl could not make a certificate") }
        return (certificate, key)
    }

    /// A loopback port nothing listens on (bound, read and closed), for a refused connection.
    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw SmtpTestServerError(reason: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `smtp://127.0.0.1:PORT` or `smtps://…`.
    package func url(implicitTLS: Bool = false) -> String { "\(implicitTLS ? "smtps" : "smtp")://127.0.0.1:\(port)" }

    /// The messages accepted so far, in order.
    package var messages: [Message] {
        let mail = directory.appendingPathComponent("mail")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? []).filter {
            $0.hasSuffix(".json")
        }.sorted()
        return names.compactMap { name in
            let base = mail.appendingPathComponent(String(name.dropLast(5)))
            guard let record = FileManager.default.contents(atPath: base.path + ".json"),
                let eml = FileManager.default.contents(atPath: base.path + ".eml"),
                let json = try? JSONDocument(parsing: Array(record)).root.json
            else { return nil }
            return Message(
                text: String(decoding: eml, as: UTF8.self), mailFrom: json["mail_from"]?.string ?? "",
                recipients: json["rcpt_tos"]?.array?.compactMap(\.string) ?? [], login: json["login"]?.string,
                mechanism: json["mechanism"]?.string, overTLS: json["tls"]?.bool ?? false)
        }
    }

    /// Every byte each connection sent, exactly as it arrived (after TLS; commands, AUTH and data
    /// before any parsing or dot-unstuffing), one entry per connection in the order they came.
    package var sessions: [[UInt8]] {
        let mail = directory.appendingPathComponent("mail")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? []).filter {
            $0.hasPrefix("session-") && $0.hasSuffix(".bin")
        }.sorted()
        return names.compactMap { FileManager.default.contents(atPath: mail.appendingPathComponent($0).path) }
            .map { Array($0) }
    }

    /// What the server decided, one entry per line of events.jsonl: `kind` is `auth`,
    /// `greylisted`, `rejected` or `accepted`.
    package var events: [JSON] {
        let path = directory.appendingPathComponent("mail/events.jsonl").path
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDocument(parsing: Array($0.utf8)).root.json }
    }

    /// Stops the server (idempotent).
    package func stop() { server.stop() }
}

/// The SMTP test server could not start.
package struct SmtpTestServerError: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}
