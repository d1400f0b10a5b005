import HeraldCore
import HeraldHTTP
import Synchronization

/// A Mailchimp Marketing-compatible server for tests: a `MailchimpAPISimulator` behind scripted
/// faults and the account's concurrency limit, with every request recorded. Thread-safe.
///
/// ```swift
/// let server = try MailchimpTestServer(apiKey: "0123…-us21", audiences: ["a1b2c3d4e5": MailchimpAudience()])
/// try server.start()                        // 127.0.0.1, port 0
/// server.inject(.respond(MailchimpFault.tooManyRequests))
/// // … point the plugin's base_url at server.baseURL …
/// #expect(server.member("jane@example.com", in: "a1b2c3d4e5")?.status == "pending")
/// ```
package final class MailchimpTestServer: Sendable {
    /// What the server does with one request.
    package enum Answer: Sendable, Equatable {
        /// Send `response`, after waiting `delay` when it is not nil.
        case respond(MailchimpTestResponse, delay: Duration?)
        /// Close the connection without answering.
        case close
    }

    struct State {
        var simulator: MailchimpAPISimulator
        var faults: [MailchimpFault] = []
        var requests: [MailchimpTestRequest] = []
        var inFlight = 0
        var mostInFlight = 0
        var connectionLimit: Int
    }

    let state: Mutex<State>
    /// The listener and its address.
    package let network = TestHTTPServer()

    /// - Parameter connectionLimit: requests in flight at once before a 429; Mailchimp's is 10
    ///   per account (reference §9), smaller values let tests provoke it.
    package init(simulator: MailchimpAPISimulator, connectionLimit: Int = 10) {
        state = Mutex(State(simulator: simulator, connectionLimit: connectionLimit))
    }

    /// A server for the account `apiKey` with these audiences (see `MailchimpAPISimulator`).
    package convenience init(
        apiKey: String, audiences: [String: MailchimpAudience], accessTokens: Set<String> = [],
        connectionLimit: Int = 10
    ) throws(ReferenceFileError) {
        self.init(
            simulator: try MailchimpAPISimulator(apiKey: apiKey, audiences: audiences, accessTokens: accessTokens),
            connectionLimit: connectionLimit)
    }

    /// Changes the simulator's state (audiences, members, key).
    package func configure(_ change: (inout MailchimpAPISimulator) -> Void) {
        state.withLock { change(&$0.simulator) }
    }

    /// Makes the next `count` requests meet `fault` (after any faults already scripted).
    package func inject(_ fault: MailchimpFault, count: Int = 1) {
        state.withLock { $0.faults += Array(repeating: fault, count: count) }
    }

    /// Every request received so far, in order.
    package var requests: [MailchimpTestRequest] {
        state.withLock { $0.requests }
    }

    /// The most requests that were in flight at once.
    package var mostInFlight: Int {
        state.withLock { $0.mostInFlight }
    }

    /// The member with `email` on `list`, as the server holds it now.
    package func member(_ email: String, in list: String) -> MailchimpAudience.Member? {
        state.withLock { $0.simulator.member(email, in: list) }
    }

    /// Records `request`, applies the limit and the next scripted fault, and decides the answer.
    /// Each call must be followed by one `finish()` once the answer is out.
    package func handle(_ request: MailchimpTestRequest) -> Answer {
        state.withLock { state in
            state.requests.append(request)
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
            if state.inFlight > state.connectionLimit {
                return .respond(MailchimpFault.tooManyRequests, delay: nil)
            }
            let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
            switch fault {
            case .respond(let response)?:
                return .respond(response, delay: nil)
            case .applyThenRespond(let response)?:
                _ = state.simulator.respond(to: request)
                return .respond(response, delay: nil)
            case .applyThenClose?:
                _ = state.simulator.respond(to: request)
                return .close
            case .delay(let duration)?:
                return .respond(state.simulator.respond(to: request), delay: duration)
            case nil:
                return .respond(state.simulator.respond(to: request), delay: nil)
            }
        }
    }

    /// The answer to one `handle` is out: it no longer counts against the limit.
    package func finish() {
        state.withLock { $0.inFlight -= 1 }
    }
}
