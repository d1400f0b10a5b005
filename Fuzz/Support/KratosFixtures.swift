#if canImport(Glibc)
    import Glibc
#endif

/// The Kratos payloads of `Tests/Fixtures/kratos-payloads`, read once at start-up from the
/// checkout the harness was built in, with the event name each is sent under.
package enum KratosFixtures {
    /// `<package>/Tests/Fixtures/kratos-payloads`.
    package static let directory: String = {
        var path = "\(#filePath)"
        for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        return path + "/Tests/Fixtures/kratos-payloads"
    }()

    /// `(event name, body)` for each top-level payload file: `login-after.json` is `login.after`,
    /// `registration-after-prepersist.json` too is `registration.after`, and
    /// `courier-http-<type>.json` is `courier.<type>`.
    package static func payloads() -> [(name: String, body: [UInt8])] {
        let files = [
            "registration-after.json", "registration-after-prepersist.json", "registration-before.json",
            "login-after.json", "login-before.json", "settings-after.json", "settings-before.json",
            "recovery-after.json", "recovery-before.json", "verification-after.json", "verification-before.json",
            "courier-http-verification_code_valid.json",
        ]
        return files.map { file in
            let stem = file.dropLast(".json".count)
            let name: String
            if stem.hasPrefix("courier-http-") {
                name = "courier." + stem.dropFirst("courier-http-".count)
            } else {
                let parts = stem.split(separator: "-")
                name = "\(parts[0]).\(parts[1])"
            }
            return (name, read(directory + "/" + file))
        }
    }

    /// The bytes of the file at `path`; stops the harness when it cannot be read.
    package static func read(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            writeToStandardError("cannot read \(path)\n")
            exit(2)
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return bytes
    }
}
