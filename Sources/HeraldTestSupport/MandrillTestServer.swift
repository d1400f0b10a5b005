import HeraldCore
import HeraldHTTP
import Synchronization

/// A Mandrill-compatible server for tests: a `MandrillAPISimulator` behind scripted faults, with
/// every request recorded. Thread-safe.
///
/// ```swift
/// let server = try MandrillTestServer(keys: ["test-key"], templates: ["welcome"])
/// try server.start()                        // 127.0.0.1, port 0
/// server.inject(.respond(MandrillFault.generalError))
/// // … point the plugin at server.baseURL …
/// #expect(server.requests.count == 1)
/// ```
package final class MandrillTestServer: Sendable {
    /// What the server does with one request.
    package enum Answer: Sendable, Equatable {
        /// Send `response`, after waiting `delay` when it is not nil.
        case respond(MandrillTestResponse, delay: Duration?)
        /// Close the connection without answering.
        case close
    }

    struct State {
        var simulator: MandrillAPISimulator
        /// Scripted faults, each for any request or for one operation (`/messages/send-template`).
        var faults: [(fault: MandrillFault, operation: String?)] = []
        var requests: [MandrillTestRequest] = []
        var observer: (@Sendable (MandrillTestRequest, Answer) -> Void)?
        /// The messages sends made (rejected ones too), for `messages/search`, and when each
        /// search came (20 a minute at most).
        var messages: [MandrillSentMessage] = []
        var searches: [ContinuousClock.Instant] = []
    }

    let state: Mutex<State>
    /// The listener and its address.
    package let network = TestHTTPServer()

    package init(simulator: MandrillAPISimulator) {
        state = Mutex(State(simulator: simulator))
    }

    /// A server with a simulator made of these settings (see `MandrillAPISimulator`).
    package convenience init(
        keys: Set<String>, templates: Set<String> = [], subaccounts: Set<String> = [], rejected: [String: String] = [:],
        errorStatuses: MandrillAPISimulator.ErrorStatuses = .current
    ) throws(ReferenceFileError) {
        self.init(
            simulator: try MandrillAPISimulator(
                keys: keys, templates: templates, subaccounts: subaccounts, rejected: rejected,
                errorStatuses: errorStatuses))
    }

    /// Changes the simulator's settings (keys, templates, reject list, error statuses).
    package func configure(_ change: (inout MandrillAPISimulator) -> Void) {
        state.withLock { change(&$0.simulator) }
    }

    /// Makes the next `count` requests meet `fault` (after any faults already scripted); with
    /// `operation`, only requests of that operation (`/messages/send-template`) do.
    package func inject(_ fault: MandrillFault, count: Int = 1, operation: String? = nil) {
        state.withLock { $0.faults += Array(repeating: (fault, operation), count: count) }
    }

    /// Calls `observer` with every request and the answer chosen for it (scripts/mandrill-sandbox
    /// prints them). It runs on the server's thread: keep it quick.
    package func observe(_ observer: @escaping @Sendable (MandrillTestRequest, Answer) -> Void) {
        state.withLock { $0.observer = observer }
    }

    /// The messages sent so far (not those Mandrill rejected).
    package var sent: [MandrillSentMessage] {
        state.withLock { $0.messages.filter { $0.state != "rejected" } }
    }

    /// Every message sends made, rejected ones included: what `messages/search` can find.
    package var messages: [MandrillSentMessage] {
        state.withLock { $0.messages }
    }

    /// Every request received so far, in order.
    package var requests: [MandrillTestRequest] {
        state.withLock { $0.requests }
    }

    /// Forgets the recorded requests and any faults not yet used.
    package func reset() {
        state.withLock {
            $0.requests = []
            $0.faults = []
        }
    }

    /// Records `request`, takes the next scripted fault if any, and decides the answer. This is
    /// the whole behaviour of the server; the network part only carries bytes.
    package func handle(_ request: MandrillTestRequest) -> Answer {
        let operation = MandrillAPISimulator.operation(forPath: request.path)
        let isSearch = operation == "/messages/search"
        let (fault, simulator, observer, messages, limited) = state.withLock { state in
            state.requests.append(request)
            let now = ContinuousClock.now
            var limited = false
            if isSearch {
                state.searches.removeAll { now - $0 >= .seconds(60) }
                limited = state.searches.count >= 20
                state.searches.append(now)
            }
            return (
                state.faults.firstIndex { $0.operation == nil || $0.operation == operation }.map {
                    state.faults.remove(at: $0).fault
                }, state.simulator, state.observer, state.messages,
                limited
            )
        }
        /// The simulator's answer; what a successful send sent is kept for later searches.
        func simulated() -> MandrillTestResponse {
            if limited {
                return simulator.error(
                    429, code: 429, name: "RequestLimitExceeded", message: "too many messages/search calls")
            }
            let response = simulator.respond(to: request, sent: messages)
            let made = simulator.sentMessages(for: request, answer: response, at: .now)
            if !made.isEmpty { state.withLock { $0.messages += made } }
            return response
        }
        let answer: Answer
        switch fault {
        case .respond(let response)?: answer = .respond(response, delay: nil)
        case .delay(let duration)?: answer = .respond(simulated(), delay: duration)
        case .closeConnection?: answer = .close
        case nil: answer = .respond(simulated(), delay: nil)
        }
        observer?(request, answer)
        return answer
    }
}
