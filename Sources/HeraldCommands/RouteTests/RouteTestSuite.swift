import HeraldConfig
import HeraldCore

/// `herald test` (and the tests `herald check` runs): every route test of the configuration's
/// `*.test.yaml` files, or of the files named.
package struct RouteTestSuite {
    /// Problems in the test files themselves (with positions), rendered.
    package let problems: String?
    let results: [RouteTestRunner.Result]

    package var passed: Int { results.filter(\.passed).count }
    package var failed: Int { results.count - passed }
    package var isEmpty: Bool { results.isEmpty && problems == nil }

    /// Loads and runs the tests of `files` (default: the configuration's route test files).
    package static func run(_ configuration: HeraldConfiguration, files: [String]? = nil) -> RouteTestSuite {
        let diagnostics = ConfigDiagnostics()
        let loader = YAMLLoader()
        var results: [RouteTestRunner.Result] = []
        for file in files ?? configuration.routeTestFiles {
            for test in RouteTestFile.load(file, loader: loader, diagnostics: diagnostics) {
                results.append(RouteTestRunner.run(test, configuration: configuration))
            }
        }
        let problems =
            diagnostics.isEmpty ? nil : DiagnosticRenderer(sources: loader.sources).render(diagnostics.sorted)
        return RouteTestSuite(problems: problems, results: results)
    }

    /// One line per test (`ok` or `FAIL` with where it is and each difference), then the tally.
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
        lines.append("tests: \(passed) passed, \(failed) failed")
        return lines.joined(separator: "\n") + "\n"
    }
}
