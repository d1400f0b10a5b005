import Foundation
import HeraldCore
import HeraldTestSupport
import Synchronization
import Testing

/// kill -9 at any moment loses no acknowledged event (design §7, §10 "crash loop"): the real
/// daemon is killed again and again while clients post, then every event it answered 202 must
/// have reached the Mandrill test server; a job may arrive twice only when it was in flight at
/// a kill. On PostgreSQL too: there a 202 follows the commit, and a killed daemon's claimed jobs
/// pass to the next one when their (short) lease ends.
@Suite struct CrashLoopTests {
    /// What the clients saw, shared between their threads.
    final class Load: Sendable {
        let address = Mutex<String?>(nil)
        let acknowledged = Mutex<[String: String]>([:])  // recipient → event id
        let refused = Atomic<Int>(0)
        let counter = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
    }

    @Test(arguments: StoreKind.available)
    func killingTheDaemonUnderLoadLosesNoAcknowledgedEvent(store: StoreKind) async throws {
        let key = DurableDeliveryTests.key
        let server = try MandrillTestServer(keys: [key], templates: ["welcome"])
        defer { server.stop() }
        try server.start()
        let directory = try makeTemporaryDirectory()
        let baseURL = try #require(server.baseURL)
        let config = try store.prepare(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            delivery: { retry: { schedule: [100ms], jitter: 0, max_age: 1h }, timeout: 5s, concurrency: 8 }
            actions:
              mail: { plugin: mandrill, api_key: "\(key)", base_url: "\(baseURL)", from: hello@example.com }
            routes:
              - name: welcome
                events: [registration.after]
                do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
            """, postgresSettings: "lease: 3s")
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)

        let load = Load()
        let clients = (0..<4).map { _ in
            let finished = DispatchSemaphore(value: 0)
            let thread = Thread {
                Self.post(load)
                finished.signal()
            }
            thread.start()
            return finished
        }
        var kills: [ContinuousClock.Instant] = []
        // How many requests the server had when each daemon started: a request belongs to the
        // daemon started last before it. Before a start, the server reads whatever the killed
        // daemon had sent (its count stops changing).
        var starts: [Int] = []
        var logs: [String] = []
        for _ in 0..<10 {
            starts.append(try await Self.quiescentCount(server))
            let herald = try HeraldProcess.start(["serve", "--config", "herald.yaml"], in: directory)
            let address = try await herald.listeningAddress()
            load.address.withLock { $0 = address }
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
            herald.signal(SIGKILL)
            kills.append(.now)
            load.address.withLock { $0 = nil }
            _ = try await herald.waitForExit()
            logs.append(herald.output)
        }
        load.stop.store(true, ordering: .releasing)
        for finished in clients { finished.wait() }

        let acknowledged = load.acknowledged.withLock { $0 }
        #expect(acknowledged.count > 20, "too little load got through to prove anything")
        starts.append(try await Self.quiescentCount(server))
        let last = try HeraldProcess.start(["serve", "--config", "herald.yaml"], in: directory)
        let delivered = { Set(server.requests.compactMap { $0.json?["message"]?["to"]?[0]?["email"]?.string }) }
        #expect(
            try await Integration.eventually(timeout: .seconds(60)) { delivered().isSuperset(of: acknowledged.keys) })
        let missing = Set(acknowledged.keys).subtracting(delivered())
        #expect(missing.isEmpty, "acknowledged but never delivered: \(missing.sorted().prefix(10))")
        #expect(!last.output.contains("level=error"), "\(last.output)")
        try await last.stop()
        logs.append(last.output)

        // Each event planned one job (one id), and its Mandrill message says which event it was.
        var jobsByRecipient: [String: Set<String>] = [:]
        var receipts: [String: [Int]] = [:]
        for (index, request) in server.requests.enumerated() {
            guard let message = request.json?["message"], let recipient = message["to"]?[0]?["email"]?.string,
                let job = message["metadata"]?["herald_job"]?.string
            else { continue }
            jobsByRecipient[recipient, default: []].insert(job)
            receipts[job, default: []].append(index)
            if let event = acknowledged[recipient] {
                #expect(message["metadata"]?["herald_event"]?.string == event)
            }
        }
        #expect(jobsByRecipient.values.allSatisfy { $0.count == 1 })
        // A duplicate is a job sent, then the daemon killed before "delivered" was on disk: the
        // second copy comes from a later daemon. (Or, on a busy machine, an attempt that timed
        // out after sending: the daemon logged it as an ambiguous retry.)
        let lifetime = { (index: Int) in starts.lastIndex { $0 <= index } ?? -1 }
        var duplicates = 0
        for (job, times) in receipts where times.count > 1 {
            duplicates += times.count - 1
            for (earlier, later) in zip(times, times.dropFirst()) {
                let daemon = lifetime(earlier)
                let retried =
                    daemon >= 0 && daemon < logs.count
                    && logs[daemon].split(separator: "\n").contains {
                        $0.contains("job=\(job)") && $0.contains("outcome=retry")
                    }
                #expect(daemon < lifetime(later) || retried, "job \(job) was sent twice by the same daemon")
            }
        }
        print(
            "crash loop: \(kills.count) kills, \(acknowledged.count) events acknowledged, "
                + "\(load.refused.load(ordering: .relaxed)) not acknowledged, \(server.requests.count) sent, "
                + "\(duplicates) duplicates"
        )
    }

    /// The server's request count once it has stopped changing for a moment.
    static func quiescentCount(_ server: MandrillTestServer) async throws -> Int {
        var count = server.requests.count
        while true {
            try await Task.sleep(for: .milliseconds(150))
            let now = server.requests.count
            if now == count { return count }
            count = now
        }
    }

    /// One client: posts registrations for new recipients while the daemon is up.
    static func post(_ load: Load) {
        while !load.stop.load(ordering: .acquiring) {
            guard let address = load.address.withLock({ $0 }) else {
                usleep(5_000)
                continue
            }
            let number = load.counter.add(1, ordering: .relaxed).newValue
            let recipient = "user-\(number)@example.com"
            do {
                let body = try DurableDeliveryTests.registration(for: recipient)
                let response = try RawHTTPClient(address: address, timeout: .seconds(5)).request(
                    "POST", "/v1/events/registration/after", headers: [("Ory-Webhook-Trigger-ID", "crash-\(number)")],
                    body: body)
                if response.status == 202,
                    let event = try? JSONDocument(parsing: response.body).root.json["event_id"]?.string
                {
                    load.acknowledged.withLock { $0[recipient] = event }
                } else {
                    load.refused.add(1, ordering: .relaxed)
                }
            } catch {
                load.refused.add(1, ordering: .relaxed)
            }
        }
    }
}
