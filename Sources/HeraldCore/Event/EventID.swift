import Synchronization

/// A time-ordered unique identifier (UUID version 7, RFC 9562) for events and jobs.
///
/// The first 48 bits are the Unix time in milliseconds; a 12-bit counter keeps ids made in the
/// same millisecond in order (RFC 9562 §6.2 method 1); the rest is random. The text form is the
/// usual lower-case 8-4-4-4-12 hex.
package struct TimeOrderedID: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let high: UInt64
    package let low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Milliseconds since the Unix epoch when the id was made.
    package var milliseconds: UInt64 { high >> 16 }

    package var description: String {
        // Written in place: every log line and every job's metadata names ids.
        String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            func append(_ value: UInt64, dashesBefore dashes: (Int, Int)) {
                for index in 0..<16 {
                    if index == dashes.0 || index == dashes.1 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                    text[position] = nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
                    position += 1
                }
            }
            append(high, dashesBefore: (8, 12))
            append(low, dashesBefore: (0, 4))
            return position
        }
    }

    /// Parses the 36-character text form.
    package init?(_ text: String) {
        let hex = text.utf8.filter { $0 != UInt8(ascii: "-") }
        guard text.utf8.count == 36, hex.count == 32 else { return nil }
        var values: [UInt64] = [0, 0]
        for (index, byte) in hex.enumerated() {
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte - 0x30
            case 0x61...0x66: nibble = byte - 0x61 + 10
            case 0x41...0x46: nibble = byte - 0x41 + 10
            default: return nil
            }
            values[index / 16] = values[index / 16] << 4 | UInt64(nibble)
        }
        high = values[0]
        low = values[1]
    }

    package static func < (lhs: TimeOrderedID, rhs: TimeOrderedID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// Makes `TimeOrderedID`s that are strictly increasing within this process.
package final class TimeOrderedIDGenerator: Sendable {
    private struct State {
        var lastMilliseconds: UInt64 = 0
        var counter: UInt64 = 0
        /// Random words from libcrypto's CSPRNG, taken in blocks: one call per id would cost more
        /// than the rest of making it. Ids must not be guessable (a job id is not a secret, but
        /// nothing should let one be predicted from another).
        var random = [UInt64](repeating: 0, count: TimeOrderedIDGenerator.randomBlock)
        var randomIndex = TimeOrderedIDGenerator.randomBlock

        mutating func nextRandom() -> UInt64 {
            if randomIndex == random.count {
                random.withUnsafeMutableBytes { SecureRandom.fill($0) }
                randomIndex = 0
            }
            defer { randomIndex += 1 }
            return random[randomIndex]
        }
    }

    private static let randomBlock = 256

    private let state = Mutex(State())
    private let now: @Sendable () -> UInt64

    /// - Parameter now: milliseconds since the Unix epoch (injectable for tests).
    package init(now: @escaping @Sendable () -> UInt64 = { UInt64(WallClock.now.millisecondsSinceEpoch) }) {
        self.now = now
    }

    package func next() -> TimeOrderedID {
        let (milliseconds, counter, randomBits) = state.withLock { state -> (UInt64, UInt64, UInt64) in
            let current = now()
            if current > state.lastMilliseconds {
                state.lastMilliseconds = current
                state.counter = state.nextRandom() & 0x3FF  // Leave headroom so the counter rarely overflows.
            } else {
                state.counter += 1
                if state.counter > 0xFFF {
                    // More than 4096 ids in one millisecond: borrow the next millisecond.
                    state.lastMilliseconds += 1
                    state.counter = 0
                }
            }
            return (state.lastMilliseconds, state.counter, state.nextRandom())
        }
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | counter
        let low = (randomBits & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return TimeOrderedID(high: high, low: low)
    }
}
