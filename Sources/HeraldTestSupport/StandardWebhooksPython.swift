import Foundation

/// The official Standard Webhooks Python library (`standardwebhooks` from PyPI, installed by
/// scripts/setup) as a second, independent verifier: `Webhook(secret).verify(body, headers)`.
package enum StandardWebhooksPython {
    /// Why the library could not be asked, when it cannot.
    package static let unavailableReason =
        "python3 cannot import standardwebhooks (pip install standardwebhooks, as scripts/setup does)"

    /// True when `python3` on PATH can import the library.
    package static var isAvailable: Bool {
        (try? run(script: "import standardwebhooks", input: Data()))?.status == 0
    }

    /// What the library says of `body` with `headers` under `secret`: nil when it verified,
    /// else its error (`WebhookVerificationError: No matching signature found`).
    ///
    /// - Throws: when python3 cannot be run.
    package static func verify(secret: String, headers: [(name: String, value: String)], body: [UInt8]) throws
        -> String?
    {
        let input: [String: Any] = [
            "secret": secret, "body": Data(body).base64EncodedString(),
            "headers": Dictionary(headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a }),
        ]
        let script = """
            import base64, json, sys
            from standardwebhooks import Webhook
            request = json.load(sys.stdin)
            try:
                Webhook(request["secret"]).verify(base64.b64decode(request["body"]), request["headers"])
            except Exception as error:
                print(type(error).__name__ + ": " + str(error))
            """
        let result = try run(script: script, input: try JSONSerialization.data(withJSONObject: input))
        let output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0 else { return "python3 failed (\(result.status)): \(output)" }
        return output.isEmpty ? nil : output
    }

    private static func run(script: String, input: Data) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
