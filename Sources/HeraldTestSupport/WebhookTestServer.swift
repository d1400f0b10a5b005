import Foundation
import HeraldCore
import HeraldHTTP
import Synchronization

/// A Standard Webhooks receiver for tests: it verifies every request as a receiver should
/// (the three headers, a timestamp within 5 minutes, a `v1` signature under one of its secrets)
/// and answers 400 or 401 when it fails; otherwise it answers what the test scripted, 204 when
/// nothing is. Every request is recorded, verified or not. Thread-safe.
///
/// ```swift
/// let server = try WebhookTestServer(secrets: ["whsec_…"])
/// try server.start()                                  // 127.0.0.1, port 0
/// server.script(.status(503, headers: ["Retry-After": "1"]))
/// // … point the action's url at server.url("/hooks") …
/// #expect(server.requests.count == 2)
/// ```
package final class WebhookTestServer: Sendable {
    /// What the server answers to one request that verified.
    package enum Reply: Sendable, Equatable {
        /// This status, headers and body.
        case status(Int, headers: [String: String] = [:], body: [UInt8] = [])
        /// A redirect to `location` (relative or absolute), with `status` (302 by default).
        case redirect(to: String, status: Int = 302)
        /// `reply`, after `delay` (answered from another thread; the server never sleeps).
        indirect case delayed(Duration, Reply)
        /// Closes the connection without an answer.
        case close
    }

    struct State {
        var receiver: StandardWebhooksReceiver
        var script: [Reply] = []
        var requests: [MandrillTestRequest] = []
        var verdicts: [StandardWebhooksReceiver.Verdict] = []
    }

    let state: Mutex<State>
    /// The listener and its address.
    package let network = TestHTTPServer()

    /// A receiver that accepts signatures under any of `secrets` (`whsec_…`).
    package init(secrets: [String]) throws(StandardWebhooksReceiver.SecretError) {
        state = Mutex(State(receiver: try StandardWebhooksReceiver(secrets: secrets)))
    }

    /// Makes the next requests that verify meet `replies`, in order (after any already scripted).
    package func script(_ replies: Reply...) {
        state.withLock { $0.script += replies }
    }

    /// Every request received so far, in order.
    package var requests: [MandrillTestRequest] {
        state.withLock { $0.requests }
    }

    /// The receiver's verdict on each request, in the order of `requests`.
    package var verdicts: [StandardWebhooksReceiver.Verdict] {
        state.withLock { $0.verdicts }
    }

    /// Records `request`, verifies it and decides the answer.
    package func handle(_ request: MandrillTestRequest) -> Reply {
        state.withLock { state in
            state.requests.append(request)
            let verdict = state.receiver.verify(request, now: .now)
            state.verdicts.append(verdict)
            switch verdict {
            case .missingHeaders, .malformedTimestamp:
                return .status(400, body: Array("{\"error\":\"\(verdict)\"}".utf8))
            case .timestampOutOfTolerance, .noMatchingSignature:
                return .status(401, body: Array("{\"error\":\"\(verdict)\"}".utf8))
            case .verified:
                return state.script.isEmpty ? .status(204) : state.script.removeFirst()
            }
        }
    }
}
