import HeraldCore
import HeraldTestSupport
import Testing

/// The schema validator behind the Mandrill test server, on the real spec and on small schemas.
@Suite struct JSONSchemaValidatorTests {
    static let validSend: JSON = [
        "key": "k",
        "message": [
            "subject": "Hi", "text": "Hello", "from_email": "hello@example.com", "from_name": nil,
            "to": [["email": "a@example.com", "name": "A", "type": "to"], ["email": "b@example.com", "type": "bcc"]],
            "headers": ["Reply-To": "r@example.com"], "global_merge_vars": [["name": "FNAME", "content": "A"]],
            "tags": ["t"], "metadata": ["herald_job": "j"], "google_analytics_campaign": "c",
        ],
        "async": false, "ip_pool": "Main Pool", "send_at": "2030-01-02 03:04:05",
    ]

    func violations(_ body: JSON, _ operation: String = "/messages/send") throws -> [String] {
        try MandrillOpenAPI.shared().validateRequest(body, operation: operation).map(\.description)
    }

    @Test func everyKeywordTheMandrillSchemasUseIsSupported() throws {
        let api = try MandrillOpenAPI.shared()
        for operation in ["/messages/send", "/messages/send-template", "/users/ping2"] {
            let schema = try #require(api.requestSchema(operation: operation))
            #expect(api.validator.unsupportedKeywords(in: schema) == [], "\(operation)")
        }
    }

    @Test func aCompleteSendBodyIsValid() throws {
        #expect(try violations(Self.validSend) == [])
    }

    @Test func sendTemplateRequiresTemplateContent() throws {
        var body = Self.validSend.object ?? [:]
        body["template_name"] = "welcome"
        #expect(
            try violations(.object(body), "/messages/send-template") == ["missing required property 'template_content'"]
        )
        body["template_content"] = []
        #expect(try violations(.object(body), "/messages/send-template") == [])
        body["template_content"] = [["name": "main", "content": 3]]
        #expect(
            try violations(.object(body), "/messages/send-template") == [
                "template_content[0].content: must be of type string, found integer"
            ])
    }

    @Test func brokenBodiesAreRejected() throws {
        func broken(_ change: (inout JSONObject, inout JSONObject) -> Void) throws -> [String] {
            var body = Self.validSend.object ?? [:]
            var message = body["message"]?.object ?? [:]
            change(&body, &message)
            body["message"] = .object(message)
            return try violations(.object(body))
        }
        #expect(
            try broken { _, message in message["to"] = [["email": "a@example.com", "type": "reply-to"]] } == [
                #"message.to[0].type: must be one of "to", "cc", "bcc", found "reply-to""#
            ])
        #expect(
            try broken { _, message in message["to"] = ["a@example.com"] } == [
                "message.to[0]: must be of type object, found string"
            ])
        #expect(
            try broken { _, message in message["track_opens"] = "yes" } == [
                "message.track_opens: must be of type boolean or null, found string"
            ])
        #expect(
            try broken { _, message in message["tags"] = "welcome" } == [
                "message.tags: must be of type array, found string"
            ])
        #expect(
            try broken { _, message in message["subject"] = .string(String(repeating: "s", count: 999)) } == [
                "message.subject: is longer than 998 characters (999)"
            ])
        #expect(
            try broken { _, message in message["merge_language"] = "liquid" } == [
                #"message.merge_language: must be one of "mailchimp", "handlebars", found "liquid""#
            ])
        #expect(
            try broken { _, message in message["google_analytics_campaign"] = 3 }.first?.hasPrefix(
                "message.google_analytics_campaign: must match exactly one of the oneOf schemas, matched 0") == true)
        #expect(try broken { body, _ in body["template"] = "welcome" } == ["template: is not an allowed property"])
        #expect(
            try broken { body, _ in body["async"] = "no" } == ["async: must be of type boolean or null, found string"])
        #expect(try broken { body, _ in body["key"] = nil } == ["missing required property 'key'"])
        #expect(try violations(["key": "k"]) == ["missing required property 'message'"])
    }

    @Test func ping2AllowsOnlyTheKey() throws {
        #expect(try violations(["key": "k"], "/users/ping2") == [])
        #expect(try violations(["key": "k", "extra": 1], "/users/ping2") == ["extra: is not an allowed property"])
    }

    @Test func combinatorsAndTypeLists() {
        let validator = JSONSchemaValidator(document: [:])
        let anyOf: JSON = ["anyOf": [["type": "string"], ["type": "integer"]]]
        #expect(validator.validate(3, against: anyOf) == [])
        #expect(validator.validate(3.5, against: anyOf).count == 1)
        let oneOf: JSON = ["oneOf": [["type": "number"], ["type": "integer"]]]
        #expect(
            validator.validate(2, against: oneOf).map(\.message) == [
                "must match exactly one of the oneOf schemas, matched 2"
            ])
        #expect(validator.validate(2.5, against: oneOf) == [])
        let nullable: JSON = ["type": ["string", "null"]]
        #expect(validator.validate(nil, against: nullable) == [])
        #expect(validator.validate(true, against: nullable).count == 1)
        #expect(validator.validate(4.0, against: ["type": "integer"]) == [])
        let nullableEnum: JSON = ["type": ["string", "null"], "enum": ["to", "cc"]]
        #expect(validator.validate(nil, against: nullableEnum) == [])
        #expect(validator.validate("bcc", against: nullableEnum).count == 1)
        #expect(validator.validate(nil, against: ["type": "string", "enum": ["to"]]).count == 1)
        #expect(validator.validate(nil, against: ["not": ["type": "null"]]).count == 1)
        let closed: JSON = ["properties": ["a": ["type": "string"]], "additionalProperties": false]
        #expect(
            validator.validate(["a": "x", "b": 1], against: closed).map(\.description) == [
                "b: is not an allowed property"
            ])
    }

    @Test func allOfSiblingsCountAsKnownProperties() {
        let document: JSON = [
            "components": [
                "schemas": [
                    "Key": [
                        "properties": ["key": ["type": "string"]], "additionalProperties": false, "required": ["key"],
                    ]
                ]
            ]
        ]
        let validator = JSONSchemaValidator(document: document)
        let schema: JSON = [
            "allOf": [["$ref": "#/components/schemas/Key"], ["properties": ["message": ["type": "object"]]]]
        ]
        #expect(validator.validate(["key": "k", "message": [:]], against: schema) == [])
        #expect(
            validator.validate(["key": "k", "other": 1], against: schema).map(\.description) == [
                "other: is not an allowed property"
            ])
        #expect(
            validator.validate(["message": [:]], against: schema).map(\.description) == [
                "missing required property 'key'"
            ])
    }
}
