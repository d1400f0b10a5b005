import Foundation
import Glibc
import HeraldCore
import Synchronization

/// `herald-bench ack HOST:PORT [rate] [seconds] [connections] [body.json]`: ack latency at a fixed
/// request rate (design §10: p99 under 2 ms at 1,000 requests/s).
///
/// Open loop: request i is due at start + i / rate whatever happened before, and its latency is
/// measured from that due time to the end of its response, so a slow answer that delays later
/// requests counts against them too (no coordinated omission). Keep-alive connections, each on
/// its own thread, take requests i ≡ k (mod connections); each request has its own
/// `Ory-Webhook-Trigger-ID`, so every one is stored (fsync'd) before its 202.
func runAckLatencyBenchmark() throws {
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    guard let address = arguments.first else {
        FileHandle.standardError.write(
            Data("usage: herald-bench ack HOST:PORT [rate] [seconds] [connections] [body]\n".utf8))
        exit(2)
    }
    let rate = arguments.count > 1 ? Double(arguments[1]) ?? 1000 : 1000
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 20 : 20
    let connections = arguments.count > 3 ? Int(arguments[3]) ?? 16 : 16
    let body =
        arguments.count > 4 ? [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[4]))) : Array("{}".utf8)
    let total = Int(rate * seconds)
    // ACK_SLOW=1: print each request slower than 2 ms with when it was due, to tell periodic stalls
    // (a timer) from growing ones (a table doubling) and from noise.
    let reportSlow = ProcessInfo.processInfo.environment["ACK_SLOW"] == "1"
    let latencies = Mutex<[Double]>([])
    let failures = Atomic<Int>(0)
    let start = ContinuousClock.now + .milliseconds(200)
    let prefix = Int.random(in: 0..<1_000_000_000)
    let done = DispatchGroup()
    for connection in 0..<connections {
        done.enter()
        let thread = Thread {
            defer { done.leave() }
            var mine: [Double] = []
            var client: BlockingHTTPConnection?
            var index = connection
            while index < total {
                let due = start + .seconds(Double(index) / rate)
                let wait = ContinuousClock.now.duration(to: due)
                if wait > .zero { Thread.sleep(forTimeInterval: wait.seconds) }
                do {
                    if client == nil { client = try BlockingHTTPConnection(address: address) }
                    let status = try client!.post(
                        "/v1/events/registration/after", body: body,
                        headers: "Content-Type: application/json\r\nOry-Webhook-Trigger-ID: ack-\(prefix)-\(index)\r\n")
                    if status / 100 != 2 { failures.add(1, ordering: .relaxed) }
                    let latency = (ContinuousClock.now - due).seconds
                    mine.append(latency)
                    if reportSlow && latency > 0.002 {
                        print(String(format: "slow: request %d at %.3f s, %.3f ms", index, Double(index) / rate, latency * 1000))
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                    client = nil
                }
                index += connections
            }
            latencies.withLock { $0 += mine }
        }
        thread.start()
    }
    done.wait()
    let elapsed = (ContinuousClock.now - start).seconds
    let sorted = latencies.withLock { $0 }.sorted()
    func percentile(_ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
    }
    print(
        String(
            format: "%@: %d requests at %.0f/s over %d keep-alive connections (%.0f/s achieved), %d not 2xx/failed; "
                + "latency from the scheduled send: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms",
            address, sorted.count, rate, connections, Double(sorted.count) / elapsed, failures.load(ordering: .relaxed),
            percentile(0.5), percentile(0.9), percentile(0.99), percentile(0.999), (sorted.last ?? .nan) * 1000))
}

/// One keep-alive HTTP/1.1 connection with blocking calls; reads responses framed by
/// Content-Length (what Herald and nginx send).
final class BlockingHTTPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 16_384)
    private let host: String

    struct Failure: Error {}

    init(address: String) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw Failure()
        }
        host = String(address[..<colon])
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &socketAddress.sin_addr)
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw Failure()
        }
    }

    deinit { close(descriptor) }

    /// Sends a POST and returns the status once the whole response is read.
    func post(_ path: String, body: [UInt8], headers: String) throws -> Int {
        let head = "POST \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)Content-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { throw Failure() }
            sent += count
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = find(separator) {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                let lines = headText.split(separator: "\r\n")
                let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                let length =
                    lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while buffer.count < end + 4 + length { try fill() }
                buffer.removeFirst(end + 4 + length)
                return status
            }
            try fill()
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where buffer[index] == 13 {
            if buffer[index..<index + pattern.count].elementsEqual(pattern) { return index }
        }
        return nil
    }

    private func fill() throws {
        let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure() }
        buffer += scratch[..<count]
    }
}
