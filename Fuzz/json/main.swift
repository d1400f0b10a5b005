import Foundation
import HeraldCore
import HeraldFuzzSupport

/// fuzz-json: `JSONDocument(parsing:)` against Foundation's `JSONSerialization`.
///
/// Both must accept or both reject, and when both accept they must read the same value. Where the
/// two parsers differ by design the divergence is logged once per kind (`note [...]`) and counted,
/// not treated as a finding; these are the known differences (also in docs/fuzzing.md):
///
/// - `depth`: nesting deeper than our limit (128 by default) is rejected by us; Foundation
///   accepts up to 512 levels.
/// - `foundation-encoding`: Foundation detects UTF-16 and UTF-32 (NUL bytes among the first
///   four) and skips a UTF-8 byte order mark; RFC 8259 §8.1 says JSON exchanged between systems
///   is UTF-8 without a BOM, and we reject both.
/// - `lone-surrogate`: an escaped lone or unpaired surrogate (`"\uD800"`) is decoded to U+FFFD by us
///   (JSONTestSuite leaves it implementation-defined); Foundation rejects it.
/// - `number-range`: numbers beyond Double's range or precision (`1e400`, 30-digit integers) parse
///   to ±infinity, 0 or the nearest Double with us; Foundation rejects some of them or reads them
///   through Decimal and gets a different value.
/// - `trailing-comma`: Foundation accepts a comma before `}` or `]` (`{"a":1,}`); RFC 8259 does
///   not, nor do we.
/// - `string-bom`: Foundation drops a U+FEFF at the start of a string or right after an escape
///   (`"\u{FEFF}x"` and `"\t\u{FEFF}x"` lose it); we keep it, as RFC 8259 asks.
/// - `duplicate-key`: an object with a name twice (`{"a":1,"a":2}`, names compared decoded) is
///   accepted by both, but they may keep different members, so values are not compared then.
///
/// Besides: accepted documents must survive serialize → parse unchanged (except ±infinity, which
/// has no JSON form and is written as `null`: noted as `round-trip/non-finite-number`), and their
/// `JSONWriter` output must equal the tree's serialization.
@_cdecl("fuzz_json_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    atexit { printFuzzNotes() }
    return runFuzzer(argc: argc, argv: argv, fuzzOne)
}

func fuzzOne(_ bytes: [UInt8]) {
    let ours: JSONDocument?
    do {
        ours = try JSONDocument(parsing: bytes)
    } catch {
        fuzzCheck(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) of \(bytes.count)")
        ours = nil
    }
    let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])

    if let ours {
        let tree = ours.root.json
        let serialized = tree.serialized()
        let reparsed = try? JSONDocument(parsing: serialized).root.json
        if containsNonFinite(tree) {
            // ±infinity (from 1e400) has no JSON form; the writer writes null.
            fuzzNote("round-trip/non-finite-number", show(bytes))
        } else {
            fuzzCheck(reparsed == tree, "round trip changed the value: \(String(decoding: serialized, as: UTF8.self))")
        }
        var writer = JSONWriter()
        ours.root.write(to: &writer)
        fuzzCheck(writer.bytes == serialized, "JSONWriter and serialized() differ")
    }

    let features = Features(bytes)
    switch (ours, theirs) {
    case (nil, nil):
        return
    case (let ours?, nil):
        guard let reason = features.explainsOursOnly else {
            fuzzCheck(false, "we accept, Foundation rejects: \(show(bytes))")
            return
        }
        _ = ours
        fuzzNote("ours-only/\(reason)", show(bytes))
    case (nil, _?):
        guard let reason = features.explainsTheirsOnly else {
            fuzzCheck(false, "Foundation accepts, we reject: \(show(bytes))")
            return
        }
        fuzzNote("foundation-only/\(reason)", show(bytes))
    case (let ours?, let theirs?):
        let tree = ours.root.json
        if sameValue(tree, theirs) { return }
        guard let reason = features.explainsDifferentValue else {
            fuzzCheck(false, "both accept, values differ: \(show(bytes)) ours \(tree.serializedString)")
            return
        }
        fuzzNote("different-value/\(reason)", show(bytes))
    }
}

/// The input's traits that explain a known difference between the two parsers.
struct Features {
    var maxDepth = 0
    var encodingSniffed = false
    var loneSurrogateEscape = false
    var extremeNumber = false
    var duplicateKey = false
    var trailingComma = false
    var stringHoldsBOM = false

    init(_ bytes: [UInt8]) {
        encodingSniffed = bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.prefix(4).contains(0)
        let lowered = String(decoding: bytes, as: UTF8.self).lowercased()
        // By scalar: a BOM followed by a combining mark is one Character, which a Character
        // search for "\u{FEFF}" does not find.
        stringHoldsBOM = lowered.unicodeScalars.contains("\u{FEFF}") || lowered.contains(#"\ufeff"#)
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0
        var numberDigits = 0
        var lastSignificant: UInt8 = 0
        // Per open container: nil for an array, else the keys of the object so far.
        var keysStack: [Set<[UInt8]>?] = []
        var keyStart: Int?
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                    if byte == UInt8(ascii: "u"), index + 4 < bytes.count {
                        let hex = String(decoding: bytes[(index + 1)...(index + 4)], as: UTF8.self)
                        if let value = UInt16(hex, radix: 16), (0xD800...0xDFFF).contains(value) {
                            loneSurrogateEscape = true
                        }
                    }
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if let start = keyStart, var keys = keysStack.last ?? nil {
                        // Compare keys as decoded, so that "a" and "\u0061" are the same name.
                        let raw = Array(bytes[start...index])
                        let name = (try? JSONDocument(parsing: raw))?.root.string.map { Array($0.utf8) } ?? raw
                        if !keys.insert(name).inserted { duplicateKey = true }
                        keysStack[keysStack.count - 1] = keys
                    }
                    keyStart = nil
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    let atKey = lastSignificant == UInt8(ascii: "{") || lastSignificant == UInt8(ascii: ",")
                    if atKey, let top = keysStack.last, top != nil { keyStart = index }
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    maxDepth = max(maxDepth, depth)
                    keysStack.append(byte == UInt8(ascii: "{") ? [] : nil)
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if !keysStack.isEmpty { keysStack.removeLast() }
                    if lastSignificant == UInt8(ascii: ",") { trailingComma = true }
                case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "."):
                    if numberDigits > 0 { extremeNumber = extremeNumber || byte != UInt8(ascii: ".") }
                default: break
                }
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    numberDigits += 1
                    if numberDigits > 15 { extremeNumber = true }
                } else if byte != UInt8(ascii: "."), byte != UInt8(ascii: "-"), byte != UInt8(ascii: "+"),
                    byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E")
                {
                    numberDigits = 0
                }
            }
            if !inString, byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 { lastSignificant = byte }
            index += 1
        }
    }

    /// Why we may accept what Foundation rejects.
    var explainsOursOnly: String? {
        if loneSurrogateEscape { return "lone-surrogate" }
        if extremeNumber { return "number-range" }
        return nil
    }

    /// Why Foundation may accept what we reject.
    var explainsTheirsOnly: String? {
        if maxDepth > JSONLimits.default.maxDepth { return "depth" }
        if encodingSniffed { return "foundation-encoding" }
        if trailingComma { return "trailing-comma" }
        return nil
    }

    /// Why both may accept and still read different values.
    var explainsDifferentValue: String? {
        if extremeNumber { return "number-range" }
        if stringHoldsBOM { return "string-bom" }
        if duplicateKey { return "duplicate-key" }
        if loneSurrogateEscape { return "lone-surrogate" }
        return nil
    }
}

/// Whether `value` holds a Double that is infinite or NaN.
func containsNonFinite(_ value: JSON) -> Bool {
    switch value {
    case .double(let number): !number.isFinite
    case .array(let elements): elements.contains(where: containsNonFinite)
    case .object(let object): object.contains { containsNonFinite($0.value) }
    default: false
    }
}

/// The input for a message: as text when short, else its start.
func show(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes.prefix(200), as: UTF8.self)
    return "\(bytes.count) bytes: \(String(reflecting: text))"
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

func isBoolean(_ number: NSNumber) -> Bool {
    String(describing: type(of: number)).contains("Boolean")
}
