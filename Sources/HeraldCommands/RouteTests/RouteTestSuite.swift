import HeraldConfig
import HeraldCore

/// `herald test` (and the tests `herald check` runs): every route test of the configuration's
/// `*.test.yaml` files, or of the files named.
package struct RouteTestSuite {
    /// Problems in the test files themselves (with positions), rendered.
    package let problems: String?
    /// How many problems `problems` holds: each counts as a failed test, since the test it
    /// belongs to could not run (a summary of "0 failed" beside them would read as a pass).
    let problemCount: Int
    let results: [RouteTestRunner.Result]

    package var passed: Int { results.filter(\.passed).count }
    /// The tests that failed plus the problems in the test files.
    package var failed: Int { results.count - passed + problemCount }
    package var isEmpty: Bool { results.isEmpty && problems == nil }

    /// Loads and runs the tests of `files` (default: the configuration's route test files).
    package static func run(_ configuration: HeraldConfiguration, files: [String]? = nil) -> RouteTestSuite {
        let diagnostics = ConfigDiagnostics()
        var loader = YAMLLoader()
        loader.fileKind = "test file"
        var results: [RouteTestRunner.Result] = []
        for file in files ?? configuration.routeTestFiles {
            for test in RouteTestFile.load(file, loader: loader, diagnostics: diagnostics) {
                results.append(RouteTestRunner.run(test, configuration: configuration))
            }
        }
        let sorted = diagnostics.sorted
        let problems = sorted.isEmpty ? nil : DiagnosticRenderer(sources: loader.sources).render(sorted)
        return RouteTestSuite(problems: problems, problemCount: sorted.count, results: results)
    }

    /// One line per test (`ok` or `FAIL` with where it is and each difference), then the tally,
    /// which counts each problem in the test files (printed to stderr) as a failure.
    package func render(verbose: Bool) -> String {
        var lines: [String] = []
        for result in results {
            if result.passed {
                if verbose { lines.append("ok    \(result.test.name)") }
                continue
            }
            lines.append("FAIL  \(result.test.name) (\(result.test.location))")
            lines += result.differences.map { "      \($0)" }
        }
        let noun = problemCount == 1 ? "problem" : "problems"
        let why = problemCount == 0 ? "" : " (\(problemCount) \(noun) in the test files)"
        lines.append("tests: \(passed) passed, \(failed) failed\(why)")
        return lines.joined(separator: "\n") + "\n"
    }
}
