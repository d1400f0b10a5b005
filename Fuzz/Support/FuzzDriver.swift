#if canImport(Glibc)
    import Glibc
#endif

/// Runs libFuzzer's driver with `body` as the target: the harness's `<module>_main` (named with
/// `@_cdecl`, because SwiftPM renames an executable's `main` on Linux) calls it with its arguments.
///
/// Built only with `HERALD_FUZZ=1` and `-sanitize=fuzzer,address -parse-as-library`; see
/// docs/fuzzing.md. A property that does not hold is reported with `fuzzCheck`, which traps, so
/// libFuzzer writes the input to a crash file.
///
/// ```swift
/// @_cdecl("fuzz_http_main")
/// func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
///     runFuzzer(argc: argc, argv: argv) { bytes in … }
/// }
/// ```
package func runFuzzer(
    argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ body: @escaping ([UInt8]) -> Void
) -> Int32 {
    fuzzBody = body
    atexit { runExitHandlers() }
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        fuzzBody?(bytes)
        return 0
    }
}

/// Stops the run with `message` (libFuzzer saves the input as a crash) when `condition` is false.
package func fuzzCheck(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    guard !condition() else { return }
    let text = "fuzz property failed at \(file):\(line): \(message())\n"
    writeToStandardError(text)
    runExitHandlers()
    abort()
}

/// Writes `message` to standard error once per `key` (expected divergences are logged, not fatal),
/// and counts every occurrence; `printFuzzNotes()` prints the counts.
package func fuzzNote(_ key: String, _ message: @autoclosure () -> String) {
    let count = fuzzNoteCounts[key, default: 0]
    fuzzNoteCounts[key] = count + 1
    if count == 0 {
        writeToStandardError("note [\(key)]: \(message())\n")
    }
}

/// Prints how often each note was seen; registered with `atexit` by harnesses that note things.
package func printFuzzNotes() {
    for (key, count) in fuzzNoteCounts.sorted(by: { $0.key < $1.key }) {
        writeToStandardError("note count [\(key)]: \(count)\n")
    }
}

/// A cursor over the fuzzer's bytes, for harnesses that take several values from one input.
package struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next byte, 0 once the input is used up.
    package mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next two bytes as a little-endian number.
    package mutating func uint16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }

    /// The bytes up to the next `separator` (not included; the separator is consumed), or the rest.
    package mutating func bytes(upTo separator: UInt8) -> [UInt8] {
        let end = bytes[position...].firstIndex(of: separator) ?? bytes.count
        defer { position = min(bytes.count, end + 1) }
        return Array(bytes[position..<end])
    }

    /// Everything not read yet.
    package mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return Array(bytes[position...])
    }
}

/// Runs `body` when the fuzzer exits, also after a failed `fuzzCheck` (which aborts, skipping
/// `atexit`): for removing scratch directories.
package func onFuzzExit(_ body: @escaping () -> Void) {
    exitHandlers.append(body)
}

private func runExitHandlers() {
    let handlers = exitHandlers
    exitHandlers = []
    for handler in handlers { handler() }
}

/// Writes `text` to file descriptor 2 (not through `stderr`, a global Swift 6 will not share).
package func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

nonisolated(unsafe) private var fuzzBody: (([UInt8]) -> Void)?
nonisolated(unsafe) private var exitHandlers: [() -> Void] = []
nonisolated(unsafe) private var fuzzNoteCounts: [String: Int] = [:]

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
