import HeraldCore
import HeraldTestSupport
import Testing

@testable import KratosPlugin

/// Compiling `do:` steps of a Kratos action and the patches they plan: exactly what Kratos gets.
@Suite struct KratosStepTests {
    static func harness(_ step: String, events: String = "registration.after") -> PluginHarness {
        PluginHarness(
            """
            actions:
              kratos:
                plugin: kratos
                admin_url: http://kratos:4434
            routes:
              - name: r
                events: [\(events)]
                do:
                  - action: kratos
            \(step)
            """)
    }

    static func event() throws -> Event {
        try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
    }

    @Test func plansTheRenderedPatchForTheIdentity() throws {
        let harness = Self.harness(
            """
                    identity: "{{identity.id}}"
                    patch:
                      - op: add
                        path: /metadata_admin/email_undeliverable
                        value: {since: "{{event.received_at}}", address: "{{identity.traits.email}}", bounced: true, count: 1}
                      - {op: replace, path: /metadata_public/newsletter, value: "no"}
                      - {op: add, path: /traits/name~1nick, value: null}
                      - {op: replace, path: /state, value: inactive}
            """)
        #expect(harness.messages == [])
        let job = try #require(harness.job(event: try Self.event()))
        #expect(job.orderingKey == "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
        #expect(job.payload["identity"] == "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
        let patch = try #require(job.payload["patch"]?.array)
        #expect(patch.count == 4)
        #expect(patch[0]["op"] == "add")
        #expect(patch[0]["path"] == "/metadata_admin/email_undeliverable")
        let value = try #require(patch[0]["value"])
        #expect(value["bounced"] == true)
        #expect(value["count"] == 1)
        #expect(value["address"] == "jane.doe@example.com")
        #expect(value["since"]?.string?.isEmpty == false)
        #expect(patch[1] == ["op": "replace", "path": "/metadata_public/newsletter", "value": "no"])
        #expect(patch[2] == ["op": "add", "path": "/traits/name~1nick", "value": nil])
        #expect(patch[3] == ["op": "replace", "path": "/state", "value": "inactive"])
        // Every operation is valid for Kratos' published schema.
        #expect(try KratosOpenAPI.shared().validatePatch(.array(patch)) == [])
    }

    @Test func aRemoveIsSentAsAnAddOfNullThenTheRemove() throws {
        let harness = Self.harness(
            """
                    identity: "{{identity.id}}"
                    patch: [{op: remove, path: /metadata_public/newsletter}]
            """)
        #expect(harness.messages == [])
        let patch = try #require(harness.job(event: try Self.event())?.payload["patch"])
        #expect(
            patch == [
                ["op": "add", "path": "/metadata_public/newsletter", "value": nil],
                ["op": "remove", "path": "/metadata_public/newsletter"],
            ])
    }

    @Test func anIdentityThatRendersEmptyPlansNothing() throws {
        let harness = Self.harness(
            """
                    identity: "{{identity.metadata_public.crm_id | default: ''}}"
                    patch: [{op: add, path: /metadata_admin/x, value: 1}]
            """)
        #expect(harness.messages == [])
        let step = try #require(harness.step())
        var report = RenderReport()
        let planned = step.plan(try Self.event(), report: &report)
        #expect(planned.nothingBecause?.contains("rendered empty") == true)
    }

    @Test func everyProblemAtItsPosition() {
        let harness = Self.harness(
            """
                    identity: "{{identity.id}}"
                    patch:
                      - {op: test, path: /metadata_admin/x, value: 1}
                      - {op: add, path: /credentials/password, value: 1}
                      - {op: add, path: /metadata_admin/years/2024, value: 1}
                      - {op: add, path: /metadata_admin/list/-, value: 1}
                      - {op: add, path: metadata_admin, value: 1}
                      - {op: add, path: /traits/a~2b, value: 1}
                      - {op: replace, path: /state, value: deleted}
                      - {op: remove, path: /state}
                      - {op: remove, path: /metadata_admin/x, value: 1}
                      - {op: add, path: /traits, value: x}
                      - {op: add, path: /metadata_admin/y}
            """)
        #expect(
            harness.messages == [
                "12:18: 'op' must be add, replace or remove (Kratos refuses 'test'); found test",
                "13:29: 'path' must be under /metadata_admin, /metadata_public, /traits or /state (Herald changes "
                    + "nothing else); found /credentials/password",
                "14:29: 'path' must be made of object keys: Kratos reads '2024' as an array index (an all-digit key "
                    + "builds an array padded with nulls, '-' appends again on every retry); found "
                    + "/metadata_admin/years/2024",
                "15:29: 'path' must be made of object keys: Kratos reads '-' as an array index (an all-digit key "
                    + "builds an array padded with nulls, '-' appends again on every retry); found "
                    + "/metadata_admin/list/-",
                "16:29: 'path' must be a JSON Pointer starting with '/', such as /metadata_admin/email_undeliverable; "
                    + "found metadata_admin",
                "17:29: 'path' must be escaped as RFC 6901 says: '~' written ~0, a '/' inside a key ~1; found /traits/a~2b",
                "18:48: the state must be 'active' or 'inactive' (or a template), found deleted",
                "19:32: /state cannot be removed: every identity has one",
                "20:51: 'remove' takes no 'value'",
                "21:45: /traits must be replaced by a map, found a string",
                "22:13: missing required key 'value'",
            ])
    }

    @Test func overlappingOperationsAreRefused() {
        let harness = Self.harness(
            """
                    identity: "{{identity.id}}"
                    patch:
                      - {op: add, path: /metadata_public/a, value: 1}
                      - {op: remove, path: /metadata_public/b}
                      - {op: add, path: /metadata_public/a/b, value: 2}
            """)
        #expect(
            harness.messages == [
                "14:13: /metadata_public/a/b overlaps /metadata_public/a, changed by an earlier operation of this patch"
            ])
    }

    @Test func templatePathsAreCheckedAgainstTheEvent() {
        let harness = Self.harness(
            """
                    identity: "{{event.tme}}"
                    patch: [{op: add, path: /metadata_admin/x, value: "{{identity.traits.email}}"}]
            """)
        #expect(harness.messages.count == 1)
        #expect(harness.messages.first?.hasPrefix("10:22: 'event.tme' is not a field Herald derives") == true)
    }
}
