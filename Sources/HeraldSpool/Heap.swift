/// A binary min-heap.
struct Heap<Element: Sendable>: Sendable {
    private var items: [Element] = []
    private let areInIncreasingOrder: @Sendable (Element, Element) -> Bool

    init(by areInIncreasingOrder: @escaping @Sendable (Element, Element) -> Bool) {
        self.areInIncreasingOrder = areInIncreasingOrder
    }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var min: Element? { items.first }

    mutating func insert(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard areInIncreasingOrder(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func popMin() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let result = items.removeLast()
        siftDown(from: 0)
        return result
    }

    /// Whether an element satisfies `predicate` (a linear search, for operators' queries).
    func contains(where predicate: (Element) -> Bool) -> Bool {
        items.contains(where: predicate)
    }

    /// Removes the first element found that satisfies `predicate` (a linear search: for rare
    /// operations such as an operator dropping a job).
    @discardableResult
    mutating func remove(where predicate: (Element) -> Bool) -> Element? {
        guard let position = items.firstIndex(where: predicate) else { return nil }
        items.swapAt(position, items.count - 1)
        let result = items.removeLast()
        if position < items.count {
            siftDown(from: position)
            siftUp(from: position)
        }
        return result
    }

    private mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard areInIncreasingOrder(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, areInIncreasingOrder(items[left], items[smallest]) { smallest = left }
            if right < items.count, areInIncreasingOrder(items[right], items[smallest]) { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
