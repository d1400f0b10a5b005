/// A binary min-heap of job slots by due time (then slot number), 4 bytes per job: the keys are
/// read from the `JobTable`, so a slot's `notBefore` may change only while it is not in the heap
/// (or just before it is taken out).
struct DueHeap: Sendable {
    private(set) var items: [UInt32] = []

    var min: UInt32? { items.first }

    mutating func insert(_ slot: UInt32, in table: JobTable) {
        items.append(slot)
        siftUp(from: items.count - 1, in: table)
    }

    @discardableResult
    mutating func popMin(in table: JobTable) -> UInt32? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let result = items.removeLast()
        siftDown(from: 0, in: table)
        return result
    }

    func contains(_ slot: UInt32) -> Bool { items.contains(slot) }

    /// Takes `slot` out (a linear search: for rare operations such as an operator's drop).
    @discardableResult
    mutating func remove(_ slot: UInt32, in table: JobTable) -> Bool {
        guard let position = items.firstIndex(of: slot) else { return false }
        items.swapAt(position, items.count - 1)
        items.removeLast()
        if position < items.count {
            siftDown(from: position, in: table)
            siftUp(from: position, in: table)
        }
        return true
    }

    private static func precedes(_ a: UInt32, _ b: UInt32, in table: JobTable) -> Bool {
        let (dueA, dueB) = (table[a].notBefore, table[b].notBefore)
        return dueA != dueB ? dueA < dueB : a < b
    }

    private mutating func siftUp(from start: Int, in table: JobTable) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard DueHeap.precedes(items[child], items[parent], in: table) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int, in table: JobTable) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, DueHeap.precedes(items[left], items[smallest], in: table) { smallest = left }
            if right < items.count, DueHeap.precedes(items[right], items[smallest], in: table) { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
