import HeraldCore
import HeraldHTTP
import Synchronization

/// A Kratos admin API server for tests: a `KratosAdminAPISimulator` (identities in memory) behind
/// scripted faults, with every request recorded. Thread-safe. Requests and answers are the same
/// plain records the Mandrill test server uses.
///
/// ```swift
/// let server = try KratosAdminTestServer(identities: [KratosAdminAPISimulator.identity(id: id, traits: [:])])
/// try server.start()                        // 127.0.0.1, port 0
/// server.inject(.respond(KratosFault.serviceUnavailable))
/// // … point the plugin's admin_url at server.baseURL …
/// #expect(server.identity(id)?["metadata_admin"]?["email_undeliverable"] == true)
/// ```
package final class KratosAdminTestServer: Sendable {
    /// What the server does with one request.
    package enum Answer: Sendable, Equatable {
        /// Send `response`, after waiting `delay` when it is not nil.
        case respond(MandrillTestResponse, delay: Duration?)
        /// Close the connection without answering.
        case close
    }

    struct State {
        var simulator: KratosAdminAPISimulator
        var faults: [KratosFault] = []
        var requests: [MandrillTestRequest] = []
    }

    let state: Mutex<State>
    /// The listener and its address.
    package let network = TestHTTPServer()

    package init(simulator: KratosAdminAPISimulator) {
        state = Mutex(State(simulator: simulator))
    }

    /// A server holding `identities`, requiring `token` as a Bearer token when given.
    package convenience init(identities: [JSON] = [], token: String? = nil) throws(ReferenceFileError) {
        self.init(simulator: try KratosAdminAPISimulator(identities: identities, token: token))
    }

    /// Changes the simulator (identities, token, traits schema).
    package func configure(_ change: (inout KratosAdminAPISimulator) -> Void) {
        state.withLock { change(&$0.simulator) }
    }

    /// The stored identity `id`, or nil.
    package func identity(_ id: String) -> JSON? {
        state.withLock { $0.simulator.identities[id.lowercased()] }
    }

    /// Makes the next `count` requests meet `fault` (after any faults already scripted).
    package func inject(_ fault: KratosFault, count: Int = 1) {
        state.withLock { $0.faults += Array(repeating: fault, count: count) }
    }

    /// Every request received so far, in order.
    package var requests: [MandrillTestRequest] {
        state.withLock { $0.requests }
    }

    /// Records `request`, takes the next scripted fault if any, and decides the answer; a fault
    /// that answers instead of Kratos leaves the identities unchanged, a delayed one applies the
    /// patch and answers late.
    package func handle(_ request: MandrillTestRequest) -> Answer {
        state.withLock { state in
            state.requests.append(request)
            let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
            switch fault {
            case .respond(let response)?: return .respond(response, delay: nil)
            case .delay(let duration)?: return .respond(state.simulator.respond(to: request), delay: duration)
            case .closeConnection?: return .close
            case nil: return .respond(state.simulator.respond(to: request), delay: nil)
            }
        }
    }
}

/// A scripted misbehaviour of the Kratos admin test server, for the next requests.
package enum KratosFault: Sendable, Equatable {
    /// Answer with this response instead of handling the request.
    case respond(MandrillTestResponse)
    /// Handle the request (apply the patch) but answer after `Duration`.
    case delay(Duration)
    /// Close the connection without answering (after reading the request).
    case closeConnection

    /// 503 as a gateway in front of Kratos answers while it restarts, in Kratos' error format.
    package static let serviceUnavailable = KratosAdminAPISimulator.error(
        503, message: "The service is temporarily unavailable", reason: nil)

    /// 429 from Ory Network's rate limiter, with `Retry-After` when given.
    package static func rateLimited(retryAfter: String?) -> MandrillTestResponse {
        var response = KratosAdminAPISimulator.error(429, message: "Too Many Requests", reason: nil)
        if let retryAfter { response.headers["Retry-After"] = retryAfter }
        return response
    }
}
