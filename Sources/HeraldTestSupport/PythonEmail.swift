import Foundation
import HeraldCore

/// Python's `email` package (the standard library, `policy.default`) as an independent reader of
/// the mail Herald writes: what a mail client built on it would see.
///
/// ```swift
/// let seen = try PythonEmail.read(Array(eml.utf8))
/// #expect(seen["mailboxes"]?["from"] == [["name": "Example", "address": "hello@example.com"]])
/// ```
package enum PythonEmail {
    /// Why it cannot be asked, when `isAvailable` is false.
    package static let unavailableReason = "python3 is missing"

    /// True when `python3` on PATH imports `email`.
    package static var isAvailable: Bool {
        (try? run(script: "import email.policy", input: Data()))?.status == 0
    }

    /// What Python reads from `message`, as JSON:
    ///
    /// - `defects`: the names of the defects Python found in the message and in each header;
    /// - `headers`: `[[name, decoded value], …]` in order;
    /// - `mailboxes`: for `from`, `to`, `cc`, `bcc`, `reply-to`: `[{"name", "address"}, …]`
    ///   (`name` empty without a display name);
    /// - `parts`: `[{"type", "cte", "text"}, …]`, each leaf part's decoded text with LF line ends.
    ///
    /// - Throws: when python3 cannot be run or fails (its output is in the error).
    package static func read(_ message: [UInt8]) throws -> JSON {
        let script = """
            import email, email.policy, json, sys
            message = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
            result = {"defects": [type(d).__name__ for d in message.defects], "headers": [], "mailboxes": {},
                      "parts": []}
            for name, value in message.items():
                result["headers"].append([name, str(value)])
                result["defects"] += [name + ": " + type(d).__name__ for d in getattr(value, "defects", [])]
                if name.lower() in ("from", "to", "cc", "bcc", "reply-to"):
                    result["mailboxes"].setdefault(name.lower(), [])
                    for address in value.addresses:
                        result["mailboxes"][name.lower()].append(
                            {"name": address.display_name, "address": address.addr_spec})
            for part in message.walk():
                if part.is_multipart():
                    continue
                result["defects"] += [type(d).__name__ for d in part.defects]
                result["parts"].append({"type": part.get_content_type(),
                                        "cte": part.get("Content-Transfer-Encoding", ""),
                                        "text": part.get_content().replace("\\r\\n", "\\n")})
            print(json.dumps(result))
            """
        let result = try run(script: script, input: Data(message))
        guard result.status == 0 else {
            throw PythonEmailError(reason: "python3 failed (\(result.status)): \(result.error)")
        }
        return try JSONDocument(parsing: Array(result.output.utf8)).root.json
    }

    private static func run(script: String, input: Data) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Written from another thread: a large message must not block on a full pipe while
        // Python waits for us to read its output.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self)
        )
    }
}

/// python3 could not read a message.
package struct PythonEmailError: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}
