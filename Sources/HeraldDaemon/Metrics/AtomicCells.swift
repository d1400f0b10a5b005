import Synchronization

/// A fixed block of 64-bit atomic cells that never moves: the storage behind counters, gauges and
/// histogram buckets. Handles keep their block alive and touch it only through atomics.
final class AtomicCells: @unchecked Sendable {
    // @unchecked: `base` is allocated and initialised in init, freed in deinit, and read or written
    // in between only through `Atomic` operations; `count` is immutable.
    private let base: UnsafeMutablePointer<Atomic<UInt64>>
    let count: Int

    init(count: Int) {
        precondition(count > 0, "a cell block needs at least one cell")
        self.count = count
        base = .allocate(capacity: count)
        for index in 0..<count { (base + index).initialize(to: Atomic(0)) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    func add(_ amount: UInt64, at index: Int) {
        base[index].wrappingAdd(amount, ordering: .relaxed)
    }

    @inline(__always)
    func store(_ value: UInt64, at index: Int) {
        base[index].store(value, ordering: .relaxed)
    }

    @inline(__always)
    func load(_ index: Int) -> UInt64 {
        base[index].load(ordering: .relaxed)
    }
}
