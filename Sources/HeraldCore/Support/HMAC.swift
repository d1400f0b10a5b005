/// A hash function HMAC can be built on.
public protocol HashFunction: Sendable {
    /// The block size in bytes (64 for SHA-1 and SHA-256).
    static var blockSize: Int { get }
    init()
    mutating func update(_ bytes: some Sequence<UInt8>)
    mutating func finalize() -> [UInt8]
}

extension HashFunction {
    /// The digest of `bytes`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = Self()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

extension SHA256: HashFunction {
    public static let blockSize = 64
}

/// HMAC (RFC 2104) over any `HashFunction`: webhook signatures (Mandrill's HMAC-SHA1, Standard
/// Webhooks' HMAC-SHA256). Tested against RFC 2202 and RFC 4231.
public enum HMAC {
    /// The authentication code of `message` under `key`.
    public static func code<H: HashFunction>(
        _ hash: H.Type, key: some Sequence<UInt8>, message: some Sequence<UInt8>
    ) -> [UInt8] {
        var block = Array(key)
        if block.count > H.blockSize { block = H.digest(block) }
        block += [UInt8](repeating: 0, count: H.blockSize - block.count)
        var inner = H()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = H()
        outer.update(block.map { $0 ^ 0x5C })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// Compares two codes in time that depends only on their lengths (never on where they differ).
    public static func isEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
