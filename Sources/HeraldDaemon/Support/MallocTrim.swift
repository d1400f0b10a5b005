import Glibc

/// Gives memory freed to malloc's arenas back to the system (glibc's `malloc_trim(0)`): after
/// start-up, recovery of a large spool leaves tens of MB of freed buffers there. Looked up at run
/// time because Swift's Glibc module does not export `<malloc.h>`; does nothing elsewhere.
func releaseFreedMemory() {
    typealias Trim = @convention(c) (Int) -> Int32
    // A null handle is RTLD_DEFAULT on Linux: the symbol as the process resolves it.
    guard let symbol = dlsym(nil, "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
}
