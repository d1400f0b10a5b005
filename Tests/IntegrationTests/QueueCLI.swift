import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald queue|dead` run as an operator would, from a daemon's directory, on a test's store.
///
/// ```swift
/// let cli = QueueCLI(store: store, directory: daemon.directory)
/// let list = try cli("dead", "list")
/// let dead = try cli.ids("dead")
/// ```
struct QueueCLI {
    let store: StoreKind
    let directory: URL

    func callAsFunction(_ arguments: String...) throws -> HeraldProcess.Result {
        try HeraldProcess.run(arguments + store.commandOptions, in: directory)
    }

    /// The entries of a `list --json` answer of `section` ("queue" or "dead"), oldest first.
    func list(_ section: String) throws -> [JSON] {
        let result = try HeraldProcess.run([section, "list", "--json"] + store.commandOptions, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try JSONDocument(parsing: Array(result.stdout.utf8)).root.json
        return answer[section == "queue" ? "jobs" : "dead_letters"]?.array ?? []
    }

    /// The ids a `list --json` answer of `section` holds.
    func ids(_ section: String) throws -> [String] {
        try list(section).compactMap { $0["id"]?.string }
    }
}
