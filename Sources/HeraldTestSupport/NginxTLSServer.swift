import Foundation
import Glibc

/// nginx serving HTTPS with HTTP/2 on a loopback port, with the test certificate
/// (`Tests/Fixtures/tls`): the real peer for the HTTP client's TLS and HTTP/2 tests. Every answer
/// is `{"connection":N,"protocol":"HTTP/2.0"}`, nginx's connection serial number and protocol,
/// so a test sees which calls shared a connection.
///
/// ```swift
/// let nginx = try NginxTLSServer()
/// defer { nginx.stop() }
/// nginx.url("/")   // https://127.0.0.1:PORT/
/// ```
package final class NginxTLSServer: Sendable {
    /// Where nginx is, when it is installed (`scripts/setup --ops` installs it).
    package static let path: String? = ["/usr/sbin/nginx", "/usr/bin/nginx"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Why a test that needs nginx does not run.
    package static let missing = "nginx is not installed: run scripts/setup --ops"

    /// The CA that signed nginx' certificate, for `HTTPClient.Configuration.caFile`.
    package static var caFile: String { ReferenceFiles.tls + "/ca.pem" }

    private let process: Process
    private let directory: URL
    /// The port nginx listens on (127.0.0.1).
    package let port: UInt16

    /// Starts nginx and waits until it accepts connections.
    ///
    /// - Throws: `RawHTTPClient.Failure` when nginx is missing or does not start.
    package init() throws {
        guard let path = Self.path else { throw RawHTTPClient.Failure(description: Self.missing) }
        directory = try makeTemporaryDirectory("herald-nginx")
        port = try Self.freePort()
        let config = """
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            daemon off;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(directory.path)/body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(ReferenceFiles.tls)/server.pem;
                    ssl_certificate_key \(ReferenceFiles.tls)/server.key;
                    location / {
                        default_type application/json;
                        return 200 '{"connection":$connection,"protocol":"$server_protocol"}';
                    }
                }
            }
            """
        let file = directory.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", file.path, "-p", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? RawHTTPClient(address: "127.0.0.1:\(port)", timeout: .seconds(1))) == nil {
            guard process.isRunning, ContinuousClock.now < deadline else {
                stop()
                let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8))
                throw RawHTTPClient.Failure(description: "nginx did not start: \(log ?? "no log")")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// `https://127.0.0.1:PORT` and `path`.
    package func url(_ path: String = "/") -> String { "https://127.0.0.1:\(port)\(path)" }

    /// Stops nginx and removes its folder.
    package func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port nothing listens on now (the system's pick for a socket bound to port 0).
    private static func freePort() throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw RawHTTPClient.Failure(description: "bind: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
