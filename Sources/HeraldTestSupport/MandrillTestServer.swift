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
public final class MandrillTestServer: Sendable {
    /// What the server does with one request.
    public enum Answer: Sendable, Equatable {
        /// Send `response`, after waiting `delay` when it is not nil.
        case respond(MandrillTestResponse, delay: Duration?)
        /// Close the connection without answering.
        case close
    }

    struct State {
        var simulator: MandrillAPISimulator
        var faults: [MandrillFault] = []
        var requests: [MandrillTestRequest] = []
        var server: HTTPServer?
        var baseURL: String?
        var observer: (@Sendable (MandrillTestRequest, Answer) -> Void)?
    }

    let state: Mutex<State>

    public init(simulator: MandrillAPISimulator) {
        state = Mutex(State(simulator: simulator))
    }

    /// A server with a simulator made of these settings (see `MandrillAPISimulator`).
    public convenience init(
        keys: Set<String>, templates: Set<String> = [], subaccounts: Set<String> = [], rejected: [String: String] = [:],
        errorStatuses: MandrillAPISimulator.ErrorStatuses = .current
    ) throws(ReferenceFileError) {
        self.init(
            simulator: try MandrillAPISimulator(
                keys: keys, templates: templates, subaccounts: subaccounts, rejected: rejected,
                errorStatuses: errorStatuses))
    }

    /// Changes the simulator's settings (keys, templates, reject list, error statuses).
    public func configure(_ change: (inout MandrillAPISimulator) -> Void) {
        state.withLock { change(&$0.simulator) }
    }

    /// Makes the next `count` requests meet `fault` (after any faults already scripted).
    public func inject(_ fault: MandrillFault, count: Int = 1) {
        state.withLock { $0.faults += Array(repeating: fault, count: count) }
    }

    /// Calls `observer` with every request and the answer chosen for it (scripts/mandrill-sandbox
    /// prints them). It runs on the server's thread: keep it quick.
    public func observe(_ observer: @escaping @Sendable (MandrillTestRequest, Answer) -> Void) {
        state.withLock { $0.observer = observer }
    }

    /// Every request received so far, in order.
    public var requests: [MandrillTestRequest] {
        state.withLock { $0.requests }
    }

    /// Forgets the recorded requests and any faults not yet used.
    public func reset() {
        state.withLock {
            $0.requests = []
            $0.faults = []
        }
    }

    /// Records `request`, takes the next scripted fault if any, and decides the answer. This is
    /// the whole behaviour of the server; the network part only carries bytes.
    public func handle(_ request: MandrillTestRequest) -> Answer {
        let (fault, simulator, observer) = state.withLock { state in
            state.requests.append(request)
            return (state.faults.isEmpty ? nil : state.faults.removeFirst(), state.simulator, state.observer)
        }
        let answer: Answer
        switch fault {
        case .respond(let response)?: answer = .respond(response, delay: nil)
        case .delay(let duration)?: answer = .respond(simulator.respond(to: request), delay: duration)
        case .closeConnection?: answer = .close
        case nil: answer = .respond(simulator.respond(to: request), delay: nil)
        }
        observer?(request, answer)
        return answer
    }
}
