import Foundation
import HeraldConfig
import HeraldConsole
import HeraldCore
import HeraldHTTP
import HeraldJobs
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldDaemon

/// The ingress without sockets (design §2, §3): screening, the 202 summary once the jobs are
/// stored, Kratos' retries answered as duplicates, 400s that say what is wrong, 503 when the store
/// cannot take the jobs (and the retry then accepted), readiness from the store.
@Suite struct IngressResponderTests {
    static let key = "ingress-key-0123456789"

    /// A store that refuses every event, as a full disk or an unreachable database does.
    final class RefusingIntake: JobIntake {
        let refusals = Atomic<Int>(0)
        func accept(
            _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void
        ) {
            refusals.add(1, ordering: .relaxed)
            completion(.failure(JobStoreError(.unavailable, "disk full")))
        }
        var isReady: Bool { false }
        var notReadyReason: String { "jobs cannot be stored" }
        func seen(_ key: String, now: WallClock) -> Bool { false }
    }

    private func configuration() throws -> HeraldConfiguration {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("herald.yaml").path
        try """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          auth: [{ api_key: { header: X-Herald-Key, value: "\(Self.key)" } }]
        actions:
          mail: { plugin: recording }
        routes:
          - name: welcome
            events: [registration.after]
            do: [{ action: mail, to: "{{recipient}}" }]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = ConfigLoader(plugins: PluginRegistry([RecordingPlugin.self])).load(path: path)
        return try #require(result.configuration, "\(result.renderedDiagnostics)")
    }

    private func responder(
        _ intake: any JobIntake, spans: RecordingSpanSink? = nil, recentEvents: RecentEvents? = nil
    ) throws -> IngressResponder {
        IngressResponder(
            running: RunningConfiguration(try configuration()), intake: intake,
            dedupe: DedupeIndex { key, now in intake.seen(key, now: now) }, ids: TimeOrderedIDGenerator(),
            logger: .discarding, recentEvents: recentEvents, spans: spans)
    }

    private func request(
        _ target: String, method: String = "POST", headers: HTTPHeaders = ["X-Herald-Key": key],
        body: [UInt8] = []
    ) -> HTTPRequest {
        HTTPRequest(
            head: HTTPRequestHead(method: method, target: target, headers: headers, bodyFraming: .length(body.count)),
            body: body)
    }

    /// The one answer `responder` gives to `request`.
    private func answer(_ responder: IngressResponder, _ request: HTTPRequest) throws -> HTTPResponse {
        let recorder = HTTPResponseRecorder()
        responder.respond(to: request, writer: HTTPResponseWriter(recording: recorder))
        #expect(recorder.responses.count == 1)
        return try #require(recorder.responses.first)
    }

    private func json(_ response: HTTPResponse) throws -> JSON {
        try JSONDocument(parsing: response.body).root.json
    }

    /// The summary's `duplicate`.
    private func isDuplicate(_ response: HTTPResponse) throws -> Bool? {
        try json(response)["duplicate"]?.bool
    }

    @Test func screeningAnswersBeforeTheBodyIsRead() throws {
        let responder = try self.responder(InMemoryJobStore())
        let unknown = try #require(responder.screen(request("/v1/nowhere").head))
        #expect(unknown.status == 404)
        #expect(String(decoding: unknown.body, as: UTF8.self).contains("no such path"))
        #expect(responder.screen(request("/v1/events/signup/after").head)?.status == 404)
        #expect(responder.screen(request("/readyz", method: "POST").head)?.status == 405)
        #expect(responder.screen(request("/v1/events/registration/after", headers: [:]).head)?.status == 401)
        #expect(
            responder.screen(request("/v1/events/registration/after", headers: ["X-Herald-Key": "no"]).head)?.status
                == 401)
        #expect(responder.screen(request("/v1/events/registration/after").head) == nil)
        #expect(responder.screen(request("/healthz", method: "GET", headers: [:]).head) == nil)
    }

    @Test func anEventIsAnswered202OnceItsJobsAreStored() throws {
        let store = InMemoryJobStore()
        let responder = try self.responder(store)
        let body = try Integration.payload("registration-after.json")
        let response = try answer(responder, request("/v1/events/registration/after", body: body))
        #expect(response.status == 202)
        let summary = try json(response)
        #expect(summary["event"] == "registration.after" && summary["jobs"] == 1)
        #expect(summary["routes"] == ["welcome"] && summary["duplicate"] == false)
        #expect(store.jobs.count == 1)
        #expect(store.jobs.first?.route == "welcome" && store.jobs.first?.action == "mail")
        #expect(store.jobs.first?.eventID.description == summary["event_id"]?.string)
    }

    /// Kratos' `traceparent` names the parent of the ingress span, which each job carries; a
    /// missing, malformed or repeated one starts a new trace and is never refused.
    @Test(
        arguments: [
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "rojo=1"],
            [:],
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"],
            ["traceparent": "not a trace"],
        ] as [[String: String]])
    func theEventsTraceIsKratosOrANewOne(_ extra: [String: String]) throws {
        let store = InMemoryJobStore()
        let spans = RecordingSpanSink()
        let responder = try self.responder(store, spans: spans)
        var headers: HTTPHeaders = ["X-Herald-Key": Self.key]
        for (name, value) in extra { headers.add(name: name, value: value) }
        let body = try Integration.payload("registration-after.json")
        let response = try answer(responder, request("/v1/events/registration/after", headers: headers, body: body))
        #expect(response.status == 202)
        let trace = try #require(store.jobs.first?.trace)
        let span = try #require(spans.spans.first)
        #expect(spans.spans.count == 1 && span.trace == trace && span.kind == .server)
        #expect(span.attribute("http.response.status_code") == .int(202) && span.attribute("herald.jobs") == .int(1))
        if let parent = extra["traceparent"].flatMap({ TraceContext(traceparent: $0) }) {
            #expect(trace.traceID == parent.traceID && trace.spanID != parent.spanID && trace.state == "rojo=1")
            #expect(span.parentSpanID == parent.spanID)
        } else {
            #expect(trace.traceID.hex != "4bf92f3577b34da6a3ce929d0e0e4736" && trace.isSampled)
            #expect(span.parentSpanID == nil && trace.state == nil)
        }
    }

    @Test func twoTraceparentsAreNoTrace() {
        var headers: HTTPHeaders = [:]
        headers.add(name: "traceparent", value: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        headers.add(name: "Traceparent", value: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01")
        #expect(IngressSpan.incoming(headers) == nil)
        headers = ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
        headers.add(name: "tracestate", value: "a=1")
        headers.add(name: "TraceState", value: "b=2")
        #expect(IngressSpan.incoming(headers)?.state == "a=1,b=2")
    }

    /// Kratos' retry of one call carries the same trigger id: answered 202 as a duplicate, and
    /// nothing more is stored.
    @Test func aRetryOfTheSameCallIsADuplicate() throws {
        let store = InMemoryJobStore()
        let responder = try self.responder(store)
        let body = try Integration.payload("registration-after.json")
        var headers: HTTPHeaders = ["X-Herald-Key": Self.key, "Ory-Webhook-Trigger-ID": "t-1"]
        #expect(
            try answer(responder, request("/v1/events/registration/after", headers: headers, body: body)).status == 202)
        let again = try answer(responder, request("/v1/events/registration/after", headers: headers, body: body))
        let duplicate = try json(again)["duplicate"]
        #expect(again.status == 202 && duplicate == true)
        headers = ["X-Herald-Key": Self.key, "Ory-Webhook-Trigger-ID": "t-2"]
        let other = try answer(responder, request("/v1/events/registration/after", headers: headers, body: body))
        let otherDuplicate = try json(other)["duplicate"]
        #expect(otherDuplicate == false)
        #expect(store.jobs.count == 2)
    }

    /// Without a trigger id (Kratos v1.x) a retry repeats the body byte for byte: the digest of
    /// those bytes recognises it, and one byte more is a new event.
    @Test func aRetryWithoutTriggerIDIsRecognisedByItsBytes() throws {
        let store = InMemoryJobStore()
        let recent = RecentEvents(capacity: 8)
        let responder = try self.responder(store, recentEvents: recent)
        let body = try Integration.payload("registration-after.json")
        let first = try answer(responder, request("/v1/events/registration/after", body: body))
        try #expect(first.status == 202 && isDuplicate(first) == false)
        let again = try answer(responder, request("/v1/events/registration/after", body: body))
        let againSummary = try json(again)
        #expect(again.status == 202 && againSummary["duplicate"] == true)
        #expect(againSummary["event"] == "registration.after")
        let changed = try answer(responder, request("/v1/events/registration/after", body: body + Array(" ".utf8)))
        try #expect(changed.status == 202 && isDuplicate(changed) == false)
        #expect(store.jobs.count == 2)
        // The console lists the retry as the first request, masked recipient and all.
        let entries = recent.entries
        #expect(entries.map(\.decision) == [.accepted(routes: ["welcome"], jobs: 1), .duplicate, .accepted(routes: ["welcome"], jobs: 1)])
        #expect(entries[1].recipient != nil && entries[1].recipient == entries[2].recipient)
    }

    /// A retry whose jobs are stored is answered from its key before its body is parsed: what
    /// the body says was decided when the first request was accepted.
    @Test func aStoredRetryIsAnsweredBeforeItsBodyIsParsed() throws {
        let store = InMemoryJobStore()
        let responder = try self.responder(store)
        let body = try Integration.payload("registration-after.json")
        let headers: HTTPHeaders = ["X-Herald-Key": Self.key, "Ory-Webhook-Trigger-ID": "t-3"]
        #expect(
            try answer(responder, request("/v1/events/registration/after", headers: headers, body: body)).status == 202)
        let cut = Array(body.prefix(10))
        let retry = try answer(responder, request("/v1/events/registration/after", headers: headers, body: cut))
        try #expect(retry.status == 202 && isDuplicate(retry) == true)
        // A new call with the same bytes is parsed, and refused.
        let fresh = try answer(
            responder,
            request(
                "/v1/events/registration/after", headers: ["X-Herald-Key": Self.key, "Ory-Webhook-Trigger-ID": "t-4"],
                body: cut))
        #expect(fresh.status == 400)
        #expect(store.jobs.count == 1)
    }

    @Test func aBadRequestIs400AndSaysWhy() throws {
        let responder = try self.responder(InMemoryJobStore())
        let notJSON = try answer(responder, request("/v1/events/registration/after", body: Array("{\"a\":".utf8)))
        #expect(notJSON.status == 400)
        #expect(String(decoding: notJSON.body, as: UTF8.self).contains("body is not valid JSON"))
        let array = try answer(responder, request("/v1/events/registration/after", body: Array("[1]".utf8)))
        #expect(array.status == 400)
        #expect(String(decoding: array.body, as: UTF8.self).contains("must be a JSON object, found an array"))
        let query = try answer(responder, request("/v1/events/registration/after?mode=later", body: Array("{}".utf8)))
        #expect(query.status == 400)
        #expect(String(decoding: query.body, as: UTF8.self).contains("unknown mode 'later'"))
    }

    /// The store cannot take the jobs: 503, so that Kratos retries, and the retry is not taken
    /// for a duplicate of the call that was refused.
    @Test func aStoreThatCannotTakeTheJobsMeans503AndTheRetryIsNoDuplicate() throws {
        let intake = RefusingIntake()
        let responder = try self.responder(intake)
        let body = try Integration.payload("registration-after.json")
        let headers: HTTPHeaders = ["X-Herald-Key": Self.key, "Ory-Webhook-Trigger-ID": "t-9"]
        let first = try answer(responder, request("/v1/events/registration/after", headers: headers, body: body))
        #expect(first.status == 503)
        let retry = try answer(responder, request("/v1/events/registration/after", headers: headers, body: body))
        #expect(retry.status == 503)
        #expect(intake.refusals.load(ordering: .relaxed) == 2)
        let ready = try answer(responder, request("/readyz", method: "GET", headers: [:]))
        #expect(ready.status == 503)
        #expect(String(decoding: ready.body, as: UTF8.self) == "not ready: jobs cannot be stored\n")
    }

    @Test func probesAnswerFromTheStore() throws {
        let responder = try self.responder(InMemoryJobStore())
        let ready = try answer(responder, request("/readyz", method: "GET", headers: [:]))
        #expect(ready.status == 200 && String(decoding: ready.body, as: UTF8.self) == "ready\n")
        #expect(try answer(responder, request("/healthz", method: "GET", headers: [:])).status == 200)
    }
}

/// The example payloads shipped in etc/examples.
enum Integration {
    static func payload(_ name: String) throws -> [UInt8] {
        let examples = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("etc/examples")
        return [UInt8](try Data(contentsOf: examples.appendingPathComponent(name)))
    }
}
