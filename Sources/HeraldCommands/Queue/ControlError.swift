/// Why `herald queue|dead` could not reach a store: no spool in the directory, a spool that
/// cannot be opened, or a daemon whose control socket does not answer.
package struct ControlError: Error, Sendable, CustomStringConvertible {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
