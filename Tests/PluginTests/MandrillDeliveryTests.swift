import HeraldCore
import HeraldTestSupport
import Testing

/// Performing jobs against the Mandrill test server: each answer of design §6.5 to its outcome.
@Suite(.serialized) struct MandrillDeliveryTests {
    @Test func sendTemplateIsDeliveredWithMaskedDetail() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform()
        guard case .delivered(let detail) = outcome else {
            Issue.record("expected delivered, got \(outcome)")
            return
        }
        #expect(detail.hasPrefix("j***@example.com sent "))
        #expect(!detail.contains("jane.doe"))
        let request = try #require(fixture.server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/api/1.0/messages/send-template.json")
        #expect(request.header("Content-Type") == "application/json")
        let body = try #require(request.json)
        #expect(try MandrillOpenAPI.shared().validateRequest(body, operation: "/messages/send-template") == [])
        #expect(body["key"] == .string(MandrillFixture.key))
        #expect(body["template_name"] == "welcome-en-US")
        #expect(body["template_content"] == [])
    }

    @Test func anUnknownTemplateMovesOnToTheNextNameInTheSameAttempt() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform(
            step: """
                        template: ["welcome-{{event.locale | language}}", "welcome-{{event.locale}}", welcome]
                        to: "{{recipient}}"
                """)
        guard case .delivered(let detail) = outcome else {
            Issue.record("expected delivered, got \(outcome)")
            return
        }
        #expect(detail.hasSuffix("(template welcome-en-US; unknown: welcome-en)"))
        let names = fixture.server.requests.map { $0.json?["template_name"]?.string }
        #expect(names == ["welcome-en", "welcome-en-US"])
        // Both calls carry the same job id: one job, one attempt.
        let ids = Set(fixture.server.requests.compactMap { $0.json?["message"]?["metadata"]?["herald_job"]?.string })
        #expect(ids.count == 1)
    }

    @Test func onlyTheLastUnknownTemplateFailsTheJob() async throws {
        let fixture = try MandrillFixture(errorStatuses: .legacy)
        let outcome = try await fixture.perform(
            step: """
                        template: ["welcome-{{event.locale | language}}", "welcome"]
                        to: "{{recipient}}"
                """)
        let reason =
            #"Mandrill answered HTTP 500 Unknown_Template: No such template "welcome""# + " (also unknown: welcome-en)"
        #expect(outcome == .failed(reason: reason))
        #expect(fixture.server.requests.count == 2)
    }

    @Test func otherErrorsDoNotTryTheNextTemplate() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.respond(MandrillFault.generalError))
        let outcome = try await fixture.perform(
            step: """
                        template: ["welcome-{{event.locale}}", "welcome"]
                        to: "{{recipient}}"
                """)
        #expect(outcome.label == "retry_ambiguous")
        #expect(fixture.server.requests.count == 1)
    }

    @Test func inlineSendIsDelivered() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform(
            step: """
                        to: "{{recipient}}"
                        subject: "Welcome, {{identity.traits.name.first}}"
                        html: "<p>Hello {{identity.traits.name.first}}</p>"
                        text: "Hello"
                """)
        #expect(outcome.label == "delivered")
        #expect(fixture.server.requests.map(\.path) == ["/api/1.0/messages/send.json"])
    }

    @Test func rejectedRecipientFailsAndNamesWhoWasAccepted() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform(
            step: """
                        template: "welcome-{{event.locale}}"
                        to: bounced@example.com
                        cc: "{{recipient}}"
                """)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected failed, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("Mandrill refused b***@example.com rejected (hard-bounce) "))
        #expect(reason.contains("; accepted j***@example.com sent "))
    }

    @Test func invalidRecipientFails() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform(
            step: """
                        template: "welcome-{{event.locale}}"
                        to: jane@localhost
                """)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected failed, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("Mandrill refused j***@localhost invalid"))
    }

    /// Issue 9: a recipient that renders as no address is planned as nothing, with a reason,
    /// never a job (which once became a "delivered" message to nobody).
    @Test func noValidRecipientPlansNothing() throws {
        let fixture = try MandrillFixture()
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        for (to, reason) in [
            ("{{identity.traits.name.first}}", "no recipient: 'to' is not an address (J***)"),
            ("{{identity.traits.nickname}}", "no recipient: 'to' rendered empty for this event"),
        ] {
            let harness = fixture.harness(step: "        template: welcome-en-US\n        to: \"\(to)\"")
            let step = try #require(harness.step("r"))
            var report = RenderReport()
            #expect(step.plan(event, report: &report).nothingBecause == reason)
        }
        #expect(fixture.server.requests.isEmpty)
    }

    @Test(arguments: [
        (MandrillTestResponse.json(200, ["status": "ok"]), "'{\"status\":\"ok\"}'"),
        (MandrillFault.htmlPage(200, title: "Welcome"), "'<html> <head><title>Welcome</title></head>"),
        (MandrillFault.empty(200), "an empty body"),
        (MandrillTestResponse.json(200, []), "'[]'"),
    ])
    func a200WithoutTheRecipientListIsAnAmbiguousRetry(response: MandrillTestResponse, excerpt: String) async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.respond(response))
        let outcome = try await fixture.perform()
        guard case .retry(nil, let reason, true) = outcome else {
            Issue.record("expected an ambiguous retry, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("Mandrill answered HTTP 200 with \(excerpt)"))
    }

    @Test func invalidKeyFails() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform(key: "md-wrong-key-999")
        #expect(outcome == .failed(reason: "Mandrill answered HTTP 401 Invalid_Key: Invalid API key"))
    }

    @Test func legacy500WithInvalidKeyOrValidationErrorFails() async throws {
        let fixture = try MandrillFixture(errorStatuses: .legacy)
        #expect(
            try await fixture.perform(key: "md-wrong-key-999")
                == .failed(reason: "Mandrill answered HTTP 500 Invalid_Key: Invalid API key"))
        fixture.server.inject(
            .respond(.error(500, code: -2, name: "ValidationError", message: "Validation error: {\"message\":{}}")))
        #expect(
            try await fixture.perform()
                == .failed(reason: "Mandrill answered HTTP 500 ValidationError: Validation error: {\"message\":{}}"))
    }

    @Test func unknownTemplateAndSubaccountFail() async throws {
        let fixture = try MandrillFixture()
        let template = try await fixture.perform(
            step: """
                        template: goodbye
                        to: "{{recipient}}"
                """)
        #expect(
            template == .failed(reason: "Mandrill answered HTTP 404 Unknown_Template: No such template \"goodbye\""))
        let subaccount = try await fixture.perform(
            step: MandrillFixture.welcome + "\n        subaccount: nobody")
        #expect(
            subaccount
                == .failed(
                    reason: "Mandrill answered HTTP 404 Unknown_Subaccount: No subaccount exists with the id 'nobody'"))
    }

    @Test(arguments: [
        (
            MandrillTestResponse.error(400, code: -2, name: "ValidationError", message: "bad"),
            "HTTP 400 ValidationError: bad"
        ),
        (
            MandrillTestResponse.error(422, code: -2, name: "ValidationError", message: "bad"),
            "HTTP 422 ValidationError: bad"
        ),
        (
            MandrillTestResponse.error(402, code: 10, name: "PaymentRequired", message: "pay"),
            "HTTP 402 PaymentRequired: pay"
        ),
        (
            MandrillFault.htmlPage(403, title: "403 Forbidden"),
            "HTTP 403 with a non-JSON body: <html> <head><title>403 Forbidden"
        ),
        (MandrillFault.empty(404), "HTTP 404 with an empty body"),
    ])
    func clientErrorsFail(response: MandrillTestResponse, reason: String) async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.respond(response))
        let outcome = try await fixture.perform()
        guard case .failed(let text) = outcome else {
            Issue.record("expected failed, got \(outcome)")
            return
        }
        #expect(text.hasPrefix("Mandrill answered \(reason)"), "\(text)")
    }

    @Test func rateLimitHonoursRetryAfterSeconds() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.respond(MandrillFault.rateLimited(retryAfter: "7")))
        #expect(
            try await fixture.perform()
                == .retry(
                    after: .seconds(7), reason: "Mandrill answered HTTP 429 RequestLimitExceeded: Too many requests",
                    ambiguous: false))
    }

    @Test func retryAfterAsAnHTTPDate() async throws {
        let fixture = try MandrillFixture()
        let clock = ManualClock(WallClock(millisecondsSinceEpoch: 784_111_717_000))  // Sun, 06 Nov 1994 08:48:37 GMT
        fixture.server.inject(.respond(MandrillFault.rateLimited(retryAfter: "Sun, 06 Nov 1994 08:49:37 GMT")))
        let outcome = try await fixture.perform(context: .testing(timeout: .seconds(10), clock: clock))
        guard case .retry(let after, _, false) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(after == .seconds(60))
    }

    @Test func serviceUnavailableIsAPlainRetry() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.respond(MandrillFault.serviceUnavailable))
        fixture.server.inject(.respond(MandrillFault.htmlPage(503, title: "503 Service Temporarily Unavailable")))
        #expect(try await fixture.perform().label == "retry")
        #expect(try await fixture.perform().label == "retry")
    }

    @Test(arguments: [
        (MandrillFault.generalError, "HTTP 500 GeneralError: An unknown error occurred"),
        (
            MandrillFault.htmlPage(502, title: "502 Bad Gateway"),
            "HTTP 502 with a non-JSON body: <html> <head><title>502 Bad Gateway"
        ),
        (MandrillFault.empty(504), "HTTP 504 with an empty body"),
        (MandrillTestResponse(status: 418, body: Array("teapot".utf8)), "HTTP 418 with a non-JSON body: teapot"),
        (
            MandrillTestResponse.error(500, code: -99, name: "Metadata_FieldLimit", message: "x"),
            "HTTP 500 Metadata_FieldLimit: x"
        ),
    ])
    func serverErrorsAreAmbiguousRetries(response: MandrillTestResponse, reason: String) async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.respond(response))
        let outcome = try await fixture.perform()
        guard case .retry(nil, let text, true) = outcome else {
            Issue.record("expected an ambiguous retry, got \(outcome)")
            return
        }
        #expect(text.hasPrefix("Mandrill answered \(reason)"), "\(text)")
        #expect(text.hasSuffix("(may have been sent)"))
    }

    @Test func connectionRefusedIsAPlainRetry() async throws {
        let fixture = try MandrillFixture()
        let outcome = try await fixture.perform(baseURL: "http://127.0.0.1:1/api/1.0")
        #expect(
            outcome
                == .retry(after: nil, reason: "cannot reach Mandrill (connection refused); not sent", ambiguous: false))
    }

    @Test func aSlowAnswerTimesOutAsAnAmbiguousRetry() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.delay(.seconds(4)))
        let outcome = try await fixture.perform(timeout: "300ms")
        #expect(
            outcome
                == .retry(
                    after: nil, reason: "no answer from Mandrill (timed out); may have been sent", ambiguous: true))
        #expect(fixture.server.requests.count == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellingTheTaskCancelsTheCall() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.delay(.seconds(4)))
        let call = Task { try await fixture.perform(timeout: "10s") }
        while fixture.server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        call.cancel()
        let outcome = try await call.value
        #expect(
            outcome
                == .retry(
                    after: nil, reason: "cancelled while sending (may have been sent)", ambiguous: true))
    }

    /// Answers that arrive just as the deadline cancels the call must neither hang nor crash
    /// (URLSession's `data(for:)`, which Herald once used, could deadlock on Linux when cancelled
    /// in that window).
    @Test(.timeLimit(.minutes(1)))
    func deadlinesRacingAnswersNeverHang() async throws {
        let fixture = try MandrillFixture()
        for _ in 0..<8 {
            fixture.server.inject(.delay(.milliseconds(150)))
            let outcome = try await fixture.perform(timeout: "150ms")
            #expect(outcome.label == "delivered" || outcome.label == "retry_ambiguous")
        }
    }

    @Test func theContextDeadlineBoundsTheCall() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.delay(.seconds(4)))
        let outcome = try await fixture.perform(context: .testing(timeout: .milliseconds(300)))
        #expect(outcome.label == "retry_ambiguous")
    }

    @Test func aConnectionClosedWithoutAnswerIsAnAmbiguousRetry() async throws {
        let fixture = try MandrillFixture()
        fixture.server.inject(.closeConnection)
        let outcome = try await fixture.perform()
        #expect(outcome.label == "retry_ambiguous", "\(outcome)")
        #expect(fixture.server.requests.count == 1)
    }
}
