import HeraldHTTP

extension HeraldMetrics {
    /// The `/metrics` answer: the exposition with its content type.
    func response() -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: ["Content-Type": MetricsRegistry.contentType], body: Array(exposition().utf8))
    }
}
