import Foundation

/// The arguments the delivery references share (`herald-bench urlsession|curl|client URL
/// [in-flight] [seconds] [body.json]`): usage and exit 2 when the URL is missing or unusable.
struct ReferenceArguments {
    let url: URL
    let inFlight: Int
    let seconds: Double
    let body: [UInt8]

    /// Reads the arguments after the benchmark's name, `name` naming it in the usage line.
    init(benchmark name: String) throws {
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        guard let text = arguments.first, let url = URL(string: text) else {
            FileHandle.standardError.write(
                Data("usage: herald-bench \(name) URL [in-flight] [seconds] [body]\n".utf8))
            exit(2)
        }
        self.url = url
        inFlight = arguments.count > 1 ? Int(arguments[1]) ?? 16 : 16
        seconds = arguments.count > 2 ? Double(arguments[2]) ?? 10 : 10
        body =
            arguments.count > 3 ? [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[3]))) : Array("{}".utf8)
    }
}
