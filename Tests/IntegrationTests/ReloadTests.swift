import Foundation
import HeraldTestSupport
import Synchronization
import Testing

/// Live reload on SIGHUP (design §9): the whole new config is validated, then swapped; a bad one
/// keeps the running one. Requests keep flowing meanwhile.
@Suite struct ReloadTests {
    /// What the load clients saw, shared with them.
    final class Tally: Sendable {
        let statuses = Mutex<[Int]>([])
        let stopped = Mutex(false)
    }

    private let base = Integration.outboxConfig()
    private let extended = Integration.outboxConfig(
        extra: """
              - name: verified
                events: [verification.after]
                do: [{ action: box, to: "{{recipient}}", subject: "Verified", text: "thanks" }]
            """)

    @Test func routesChangeWhileRequestsFlowAndNoneFails() async throws {
        let (herald, address) = try await Integration.serve(base)
        let config = herald.directory.appendingPathComponent("herald.yaml")
        let tally = Tally()
        let body = try Integration.example("login-after.json")
        // Three clients keep posting login events (each a new event) for the whole test.
        let load = Task.detached {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<3 {
                    group.addTask {
                        guard let connection = try? RawHTTPClient(address: address) else { return }
                        var number = 0
                        // Bounded: a few requests a second per client, so the outbox keeps up.
                        while !tally.stopped.withLock({ $0 }), number < 200 {
                            number += 1
                            try? await Task.sleep(for: .milliseconds(20))
                            let status =
                                (try? connection.request(
                                    "POST", "/v1/events/login/after",
                                    headers: [("Ory-Webhook-Trigger-ID", "reload-\(client)-\(number)")], body: body))?
                                .status ?? -1
                            tally.statuses.withLock { $0.append(status) }
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let verification = try Integration.example("verification-after.json")
        func verify(_ trigger: String) throws -> RawHTTPClient.Response {
            try RawHTTPClient(address: address).request(
                "POST", "/v1/events/verification/after", headers: [("Ory-Webhook-Trigger-ID", trigger)],
                body: verification)
        }
        let before = try verify("v-1")
        #expect(before.text.contains(#""routes":[]"#))

        try extended.write(to: config, atomically: true, encoding: .utf8)
        var mark = herald.outputLength
        herald.signal(SIGHUP)
        try await herald.waitForLog("configuration reloaded", after: mark)
        let after = try verify("v-2")
        #expect(after.text.contains(#""routes":["verified"]"#))

        // A broken config is refused with its position, and the running one stays.
        try (extended + "\n  - name: broken\n    events: [verification.aftr]\n    do: [{ action: box, text: x }]\n")
            .write(to: config, atomically: true, encoding: .utf8)
        mark = herald.outputLength
        herald.signal(SIGHUP)
        let refusal = try await herald.waitForLog("reload refused", after: mark)
        #expect(refusal.contains("herald.yaml:31:14: no event is called 'verification.aftr'"))
        let still = try verify("v-3")
        #expect(still.text.contains(#""routes":["verified"]"#))

        // Enough requests flowed through the reloads (counted, not timed: the machine may be slow).
        #expect(try await Integration.eventually(timeout: .seconds(20)) { tally.statuses.withLock { $0.count } > 20 })
        tally.stopped.withLock { $0 = true }
        await load.value
        let seen = tally.statuses.withLock { $0 }
        #expect(seen.allSatisfy { $0 == 202 }, "non-202 answers: \(Set(seen))")
        // Jobs planned before the reloads were delivered (the outbox has every sign-in notice).
        let outbox = herald.directory.appendingPathComponent("outbox")
        let expected = seen.count + 2
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                Integration.files(in: outbox, suffix: ".eml").count == expected
            })
        #expect(try await herald.stop() == 0)
    }
}
