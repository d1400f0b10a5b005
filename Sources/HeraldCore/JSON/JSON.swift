/// An owned JSON tree, for building what Herald sends (Mandrill requests, job records) and for tests.
///
/// Numbers keep the distinction the source made: an integer literal that fits in 64 bits is `.int`,
/// any other number `.double`. Objects compare equal regardless of member order (see `JSONObject`).
///
/// ```swift
/// let message: JSON = ["to": [["email": "ada@example.com"]], "merge": true, "retries": 3]
/// let body = message.serialized()
/// ```
package enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    package init(nilLiteral: ()) { self = .null }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(stringLiteral value: String) { self = .string(value) }
    package init(arrayLiteral elements: JSON...) { self = .array(elements) }

    /// Repeated keys: the last value wins, at the first key's position.
    package init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSON {
    /// The member `key` of an object; nil when absent or not an object.
    package subscript(key: String) -> JSON? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    package subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// Whether the value is `null`.
    package var isNull: Bool { self == .null }

    /// The text of a string; nil for other kinds.
    package var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The value of an `.int`; nil for other kinds (including `.double`).
    package var int: Int64? {
        guard case .int(let value) = self else { return nil }
        return value
    }

    /// The value of a boolean; nil for other kinds.
    package var bool: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The value of an `.int` or `.double` as a `Double`; nil for other kinds.
    package var double: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The elements of an array; nil for other kinds.
    package var array: [JSON]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members of an object; nil for other kinds.
    package var object: JSONObject? {
        guard case .object(let object) = self else { return nil }
        return object
    }
}
