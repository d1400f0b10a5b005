import Foundation
import HeraldTestSupport
import Testing

/// Bad input always gets a specific answer, and the daemon keeps serving.
@Suite struct IngressErrorTests {
    @Test func malformedRequestsGetSpecificStatuses() async throws {
        let config = Integration.outboxConfig().replacingOccurrences(
            of: "  insecure_no_auth: true", with: "  insecure_no_auth: true\n  limits: { max_body_bytes: 4096 }")
        let (herald, address) = try await Integration.serve(config)
        let cases: [(String, String, [UInt8], Int, String)] = [
            ("POST", "/v1/events/registration/after", Array("{not json".utf8), 400, "body is not valid JSON"),
            (
                "POST", "/v1/events/registration/after", Array("[1, 2]".utf8), 400,
                "body must be a JSON object, found an array"
            ),
            ("POST", "/v1/events/registration/after", [], 400, "empty body"),
            ("POST", "/v1/events/signup/after", Array("{}".utf8), 404, "unknown flow 'signup'"),
            ("POST", "/v1/events/login/during", Array("{}".utf8), 404, "unknown phase 'during'"),
            ("POST", "/v2/events", Array("{}".utf8), 404, "no such path"),
            (
                "POST", "/v1/events", Array(#"{"event": "login.sideways", "ctx": {}}"#.utf8), 400,
                "unknown event 'login.sideways'"
            ),
            ("POST", "/v1/events", Array(#"{"event": "login.after"}"#.utf8), 400, "envelope needs \\\"ctx\\\""),
            ("POST", "/v1/courier", Array(#"{"recipient": "x@y.example"}"#.utf8), 400, "template_type"),
            // Issue 9: an unknown query mode or parameter is a 400 that names it, not a plan.
            (
                "POST", "/v1/events/registration/after?mode=bogus", Array("{}".utf8), 400,
                "unknown mode 'bogus'; the only mode is decide"
            ),
            (
                "POST", "/v1/events/login/after?methd=password", Array("{}".utf8), 400,
                "unknown query parameter 'methd'"
            ),
            (
                "POST", "/v1/events/registration/after",
                Array(String(repeating: "[", count: 100).utf8) + Array(String(repeating: "]", count: 100).utf8), 400,
                "nesting"
            ),
        ]
        for (method, path, body, status, message) in cases {
            let client = try RawHTTPClient(address: address)
            let response = try client.request(method, path, body: body)
            #expect(response.status == status, "\(path) \(String(decoding: body.prefix(40), as: UTF8.self))")
            #expect(response.text.contains(message), "\(response.text)")
        }
        // Oversized: refused from Content-Length alone, before the body is sent.
        let client = try RawHTTPClient(address: address)
        try client.send("POST /v1/events/login/after HTTP/1.1\r\nHost: t\r\nContent-Length: 999999\r\n\r\n")
        let tooLarge = try client.readResponse()
        #expect(tooLarge.status == 413)
        // Framing and size errors answer JSON like every other error (issue 9).
        #expect(tooLarge.header("Content-Type") == "application/json")
        #expect(tooLarge.text.hasPrefix(#"{"error":"#), "\(tooLarge.text)")
        // Garbage gets 400, and others are still served.
        let garbage = try RawHTTPClient(address: address)
        try garbage.send("\u{1}\u{2}GARBAGE\r\n\r\n")
        #expect(try garbage.readResponse().status == 400)
        #expect(try RawHTTPClient(address: address).request("GET", "/healthz").status == 200)
        #expect(try await herald.stop() == 0)
    }

    @Test func credentialsAreRequiredWhenConfigured() async throws {
        let auth = """
              auth:
                - api_key: { header: X-Herald-Key, value: "${env:INGRESS_KEY}" }
                - api_key: { cookie: herald, value: "${env:INGRESS_KEY}" }
                - basic_auth: { user: kratos, password: "${env:INGRESS_PASSWORD}" }
            """
        let key = "k-0123456789abcdef0123"
        let password = "correct horse battery"
        let (herald, address) = try await Integration.serve(
            Integration.outboxConfig(auth: auth), environment: ["INGRESS_KEY": key, "INGRESS_PASSWORD": password])
        let body = try Integration.example("login-after.json")
        let basic = Data("kratos:\(password)".utf8).base64EncodedString()
        let wrongBasic = Data("kratos:nope".utf8).base64EncodedString()
        let cases: [([(String, String)], Int)] = [
            ([], 401),
            ([("X-Herald-Key", "wrong")], 401),
            ([("X-Herald-Key", key + "x")], 401),
            ([("X-Herald-Key", key)], 202),
            ([("x-herald-key", key)], 202),
            ([("Cookie", "csrf=1; herald=\(key)")], 202),
            ([("Cookie", "herald=nope")], 401),
            ([("Authorization", "Basic \(basic)")], 202),
            ([("Authorization", "Basic \(wrongBasic)")], 401),
        ]
        for (headers, status) in cases {
            let response = try RawHTTPClient(address: address).request(
                "POST", "/v1/events/login/after", headers: headers, body: body)
            #expect(response.status == status, "\(headers)")
        }
        // Probes stay open for orchestrators.
        #expect(try RawHTTPClient(address: address).request("GET", "/healthz").status == 200)
        #expect(!herald.output.contains(key))
        #expect(!herald.output.contains(password))
        try await herald.stop()
    }
}
