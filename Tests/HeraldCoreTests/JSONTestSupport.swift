import Foundation
import HeraldCore

/// Fixtures of the JSON tests, located from this file so any clone works.
enum JSONFixtures {
    /// `<package>/Tests/Fixtures`.
    static let reference: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // HeraldCoreTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    static let testSuite = reference.appendingPathComponent("json-test-suite/test_parsing")
    static let payloads = reference.appendingPathComponent("kratos-payloads")

    /// Names in JSONTestSuite's `test_parsing` starting with `prefix`, sorted.
    static func suiteFiles(_ prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: testSuite.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    /// Paths relative to `kratos-payloads` of every payload, responses included.
    static func payloadFiles() -> [String] {
        let manager = FileManager.default
        let top = (try? manager.contentsOfDirectory(atPath: payloads.path)) ?? []
        let responses =
            (try? manager.contentsOfDirectory(atPath: payloads.appendingPathComponent("responses").path)) ?? []
        return
            (top.filter { $0.hasSuffix(".json") } + responses.filter { $0.hasSuffix(".json") }.map { "responses/" + $0 })
            .sorted()
    }

    static func suiteBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: testSuite.appendingPathComponent(name)))
    }

    static func payloadBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: payloads.appendingPathComponent(name)))
    }
}

/// What Foundation's `JSONSerialization` makes of `bytes`, or nil when it rejects them.
func foundationParse(_ bytes: [UInt8]) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

/// Whether our tree and a `JSONSerialization` result describe the same value. Numbers compare by
/// value (Foundation does not keep the integer/double distinction); booleans must be booleans.
func sameValue(_ ours: JSON, _ theirs: Any) -> Bool {
    switch ours {
    case .null:
        return theirs is NSNull
    case .bool(let value):
        guard let number = theirs as? NSNumber, isBoolean(number) else { return false }
        return number.boolValue == value
    case .int(let value):
        guard let number = theirs as? NSNumber, !isBoolean(number) else { return false }
        return number.int64Value == value || number.doubleValue == Double(value)
    case .double(let value):
        guard let number = theirs as? NSNumber, !isBoolean(number) else { return false }
        // Foundation may go through Decimal, which rounds differently in the last bits.
        let other = number.doubleValue
        return value == other || abs(value - other) <= abs(value) * 1e-14
    case .string(let text):
        guard let other = theirs as? String else { return false }
        return Array(text.utf8) == Array(other.utf8)
    case .array(let elements):
        guard let others = theirs as? [Any], others.count == elements.count else { return false }
        return zip(elements, others).allSatisfy { sameValue($0, $1) }
    case .object(let object):
        guard let others = theirs as? [String: Any], others.count == object.count else { return false }
        return object.allSatisfy { key, value in others[key].map { sameValue(value, $0) } ?? false }
    }
}

private func isBoolean(_ number: NSNumber) -> Bool {
    String(describing: type(of: number)).contains("Boolean")
}
