internal import CISAL

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every spool record,
/// computed by ISA-L with the processor's CRC instructions (a software table elsewhere): recovery
/// checks every byte of every segment, a gigabyte for a million queued jobs.
///
/// ```swift
/// CRC32C.checksum(Array("123456789".utf8))  // 0xE3069283
/// ```
enum CRC32C {
    /// The checksum of `bytes`, continuing from `crc` (the checksum of what came before, or 0).
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard var position = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        // ISA-L starts from and returns the register without the final inversion; its length is
        // an Int32.
        var register = ~crc
        var remaining = bytes.count
        while remaining > 0 {
            let chunk = min(remaining, 1 << 30)
            register = crc32_iscsi(UnsafeMutablePointer(mutating: position), Int32(chunk), register)
            position += chunk
            remaining -= chunk
        }
        return ~register
    }

    /// The checksum of `bytes`, continuing from `crc`.
    static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
