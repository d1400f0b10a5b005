/// The parsed command line: a command, its options and its positional arguments.
struct CommandLineArguments {
    var command: String?
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    /// A usage mistake, printed with the command's help; exit code 2.
    struct UsageError: Error {
        let message: String
        /// The command named before the mistake, if any: its help is the one to show.
        var command: String?
    }

    init() {}

    /// Parses `arguments` (without the program name). `valued` lists options that take a value
    /// (`--config F` or `--config=F`); every other `--x` is a flag.
    init(_ arguments: [String], valued: Set<String>) throws(UsageError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "--" {
                positionals += remaining
                break
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    let name = String(body[..<equals])
                    guard valued.contains(name) else {
                        throw UsageError(message: "--\(name) does not take a value", command: command)
                    }
                    options[name] = String(body[body.index(after: equals)...])
                } else if valued.contains(String(body)) {
                    guard let value = remaining.popFirst() else {
                        throw UsageError(message: "--\(body) needs a value", command: command)
                    }
                    options[String(body)] = value
                } else {
                    flags.insert(String(body))
                }
            } else if argument == "-h" {
                flags.insert("help")
            } else if argument.hasPrefix("-") && argument.count > 1 {
                throw UsageError(message: "unknown option '\(argument)'", command: command)
            } else if command == nil {
                command = argument
            } else {
                positionals.append(argument)
            }
        }
    }
}
