import HeraldCore
import Testing

@testable import SmtpPlugin

/// Every class of session end, without a network: the server's reply first, curl's error next,
/// ambiguity only once the whole message went out.
@Suite struct SmtpResultClassifierTests {
    typealias Code = SmtpResultClassifier.Code
    static let redactor = RemoteTextRedactor(secrets: [])

    static func classify(
        _ code: Int, error: String = "", reply: Int = 0, lines: [String] = [], after command: SmtpCommand? = nil,
        messageSent: Bool = false, cancelled: Bool = false
    ) -> Outcome {
        SmtpResultClassifier.classify(
            SmtpSessionResult(
                curlCode: code, curlError: error, replyCode: reply, replyLines: lines, lastCommand: command,
                messageSent: messageSent, cancelled: cancelled, duration: .seconds(5)), redactor: redactor)
    }

    @Test func aRejectAfterTheMessageIsAFailureNotAmbiguous() {
        #expect(
            Self.classify(
                Code.sendError, reply: 554, lines: ["554 5.7.1 Message rejected as spam"], after: .data,
                messageSent: true) == .failed(reason: "end of data answered 554 5.7.1 Message rejected as spam"))
    }

    @Test func aMultiLineReplyKeepsItsCodeOnce() {
        #expect(
            Self.classify(
                Code.sendError, reply: 421, lines: ["421-4.3.2 Service shutting down", "421 4.3.2 try later"],
                after: .mail)
                == .retry(
                    after: nil,
                    reason: "MAIL FROM answered 421-4.3.2 Service shutting down 4.3.2 try later "
                        + "(temporary; not accepted)", ambiguous: false))
    }

    @Test func aTimeoutIsAmbiguousOnlyOnceTheMessageWasSent() {
        #expect(
            Self.classify(Code.operationTimedOut, error: "server response timeout", reply: 354, after: .data)
                == .retry(after: nil, reason: "timed out after 5s during DATA; not accepted", ambiguous: false))
        #expect(
            Self.classify(
                Code.operationTimedOut, error: "server response timeout", reply: 354, after: .data, messageSent: true)
                == .retry(
                    after: nil,
                    reason: "timed out after 5s after the whole message was sent (the server may have accepted it)",
                    ambiguous: true))
    }

    @Test func aLostConnectionBeforeTheEndIsNotAmbiguous() {
        #expect(
            Self.classify(Code.recvError, error: "Connection reset by peer", reply: 250, after: .rcpt)
                == .retry(after: nil, reason: "Connection reset by peer during RCPT TO; not accepted", ambiguous: false)
        )
    }

    @Test func aCancellationAfterTheMessageIsAmbiguous() {
        #expect(
            Self.classify(Code.abortedByCallback, reply: 354, after: .data, messageSent: true, cancelled: true)
                == .retry(
                    after: nil, reason: "cancelled after the whole message was sent (the server may have accepted it)",
                    ambiguous: true))
    }

    @Test func noConnectionIsAPlainRetry() {
        #expect(
            Self.classify(Code.couldntResolveHost, error: "Could not resolve host: smtp.invalid")
                == .retry(
                    after: nil, reason: "cannot connect: Could not resolve host: smtp.invalid; not sent",
                    ambiguous: false))
    }

    @Test func aRefusedStartTLSIsTheServersAnswer() {
        #expect(
            Self.classify(
                Code.useSSLFailed, reply: 502, lines: ["502 5.5.1 Command not implemented"],
                after: .startTLS) == .failed(reason: "STARTTLS answered 502 5.5.1 Command not implemented"))
        #expect(
            Self.classify(Code.useSSLFailed, reply: 454, lines: ["454 4.7.0 TLS not available"], after: .startTLS)
                == .retry(
                    after: nil, reason: "STARTTLS answered 454 4.7.0 TLS not available (temporary; not accepted)",
                    ambiguous: false))
    }

    @Test func aBadCertificateFails() {
        #expect(
            Self.classify(
                Code.peerFailedVerification, error: "SSL certificate problem: self-signed certificate",
                reply: 220, after: .startTLS)
                == .failed(
                    reason: "TLS: SSL certificate problem: self-signed certificate (check the server's "
                        + "certificate, 'ca_file' and 'url')"))
    }
}
