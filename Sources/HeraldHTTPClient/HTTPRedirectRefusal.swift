import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Answers every redirect with "do not follow": URLSession then completes the task with the 3xx
/// response itself, which the plugin's classifier reports (URLSession follows redirects by default,
/// and would re-send the body, a signed one for webhooks, to wherever a receiver, or anyone in
/// between, points it).
final class HTTPRedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
