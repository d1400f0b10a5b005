import Foundation
import Glibc

/// Writes `text` to `url` as an executable (0755), through a descriptor that no child process
/// can keep: opened close-on-exec and closed at once.
///
/// A script written with `String.write(to:atomically:)` could stay open for writing in a child
/// that another test spawned at that moment; Linux then refuses to run it (ETXTBSY, "Text file
/// busy") for as long as that child lives. CI once saw `herald`'s exec plugin retry such a
/// script for 13 s.
package func writeExecutable(_ text: String, to url: URL) throws {
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard descriptor >= 0 else { throw ProcessFailure("cannot create \(url.path): errno \(errno)") }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
        let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else { throw ProcessFailure("cannot write \(url.path): errno \(errno)") }
        written += result
    }
    // The mode of an existing file stays as it was with O_CREAT.
    guard fchmod(descriptor, 0o755) == 0 else { throw ProcessFailure("cannot chmod \(url.path): errno \(errno)") }
}
