/// A first-in, first-out queue kept in fixed-size chunks: appending never copies what is queued
/// (an array that doubles copies all of it at once: tens of milliseconds at a million entries),
/// and taking from the front frees whole chunks instead of moving the rest down.
struct ChunkedQueue<Element> {
    private var chunks: [[Element]] = []
    /// The position of the first element in `chunks[0]`.
    private var head = 0
    private let chunkSize: Int

    init(chunkSize: Int = 4096) {
        self.chunkSize = max(1, chunkSize)
    }

    var isEmpty: Bool { chunks.isEmpty }

    var first: Element? { chunks.first?[head] }

    mutating func append(_ element: Element) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == chunkSize {
            var chunk: [Element] = []
            chunk.reserveCapacity(chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
    }

    /// Removes the first element; the queue must not be empty.
    mutating func removeFirst() {
        head += 1
        guard head == chunks[0].count else { return }
        // The first chunk is used up: drop it (the chunk array holds one reference per chunk,
        // a few hundred at most, so moving them down is cheap).
        chunks.removeFirst()
        head = 0
    }
}

extension ChunkedQueue: Sendable where Element: Sendable {}
