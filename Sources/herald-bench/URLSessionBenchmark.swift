import Foundation
import HeraldCore
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `herald-bench urlsession URL [in-flight] [seconds] [body.json]`: the ceiling of bare URLSession
/// POSTs with N requests in flight against an endpoint, a reference for Herald's delivery rate
/// (design §10) beside the bare libcurl loop (`herald-bench curl`). One shared session. Only this
/// benchmark uses URLSession: Herald itself no longer does.
func runURLSessionBenchmark() throws {
    let arguments = try ReferenceArguments(benchmark: "urlsession")
    let (url, inFlight, seconds, body) = (arguments.url, arguments.inFlight, arguments.seconds, Data(arguments.body))
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = inFlight
    let session = URLSession(configuration: configuration)
    let completed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let deadline = ContinuousClock.now + .seconds(seconds)
    let finished = DispatchGroup()
    let started = ContinuousClock.now

    @Sendable func next() {
        guard ContinuousClock.now < deadline else {
            finished.leave()
            return
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        session.dataTask(with: request) { data, response, error in
            if error == nil, (response as? HTTPURLResponse)?.statusCode == 200, data != nil {
                completed.add(1, ordering: .relaxed)
            } else {
                failed.add(1, ordering: .relaxed)
            }
            next()
        }.resume()
    }
    for _ in 0..<inFlight {
        finished.enter()
        next()
    }
    finished.wait()
    let elapsed = (ContinuousClock.now - started).seconds
    print(
        String(
            format: "URLSession, %d in flight, %.0f s: %.0f requests/s (%d ok, %d failed)", inFlight, elapsed,
            Double(completed.load(ordering: .relaxed)) / elapsed, completed.load(ordering: .relaxed),
            failed.load(ordering: .relaxed)))
    session.invalidateAndCancel()
}
