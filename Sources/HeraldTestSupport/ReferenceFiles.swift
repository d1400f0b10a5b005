import Foundation
import HeraldCore

/// Where the tests' fixtures live (`Tests/Fixtures`), found from this source file's path so that
/// tests work from any working directory: the package root is two levels above
/// `Sources/HeraldTestSupport/`. Nothing outside the repository is read.
package enum ReferenceFiles {
    /// The package root (the directory holding `Package.swift`).
    package static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.standardizedFileURL.path
    }()

    /// `Tests/Fixtures` in the package (see its README for each file's source and licence).
    package static var fixtures: String { packageRoot + "/Tests/Fixtures" }

    /// The Mailchimp Transactional OpenAPI 3.1 description.
    package static var mandrillOpenAPI: String { fixtures + "/mandrill/mandrill-transactional.openapi.json" }

    /// Kratos' OpenAPI description of `GET`/`PATCH /admin/identities/{id}` (the schemas they use).
    package static var kratosAdminOpenAPI: String { fixtures + "/kratos-api/kratos-admin-identities.openapi.json" }

    /// The Mailchimp Marketing API members subset (OAS 3.0.1).
    package static var mailchimpOpenAPI: String { fixtures + "/mailchimp/mailchimp-marketing.members.openapi.json" }

    /// The directory of Kratos web hook payloads shaped as Kratos sends them (`registration-after.json`, …).
    package static var kratosPayloads: String { fixtures + "/kratos-payloads" }

    /// Kratos' own config schemas (`v1.3.1.config.schema.json`, `v26.2.0.config.schema.json`).
    package static var kratosConfigSchemas: String { fixtures + "/kratos-config-schema" }

    /// The test CA and the certificate it signed for 127.0.0.1 (`ca.pem`, `server.pem`, `server.key`).
    package static var tls: String { fixtures + "/tls" }

    /// The bytes of a reference file.
    ///
    /// - Throws: `ReferenceFileError` when the file cannot be read.
    package static func bytes(atPath path: String) throws(ReferenceFileError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReferenceFileError(path: path, reason: "cannot read the file")
        }
        return Array(data)
    }

    /// The Kratos payload `name` (with or without `.json`) as bytes.
    package static func kratosPayload(_ name: String) throws(ReferenceFileError) -> [UInt8] {
        let file = name.hasSuffix(".json") ? name : name + ".json"
        return try bytes(atPath: kratosPayloads + "/" + file)
    }

    /// An event built from the Kratos payload `file`, named `event` (`registration.after`).
    ///
    /// ```swift
    /// let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
    /// ```
    package static func kratosEvent(
        _ file: String, name: String, id: TimeOrderedID = TimeOrderedID(high: 0x0190_0000_0000_0001, low: 42)
    ) throws(ReferenceFileError) -> Event {
        let bytes = try kratosPayload(file)
        guard let eventName = EventName(name) else {
            throw ReferenceFileError(path: file, reason: "bad event name \(name)")
        }
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            throw ReferenceFileError(path: file, reason: "not JSON: \(error)")
        }
        return Event(id: id, name: eventName, receivedAt: WallClock.now, triggerID: nil, payload: document.root)
    }
}

/// A reference file that could not be read or parsed.
package struct ReferenceFileError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var reason: String

    package var description: String { "\(path): \(reason)" }
}
