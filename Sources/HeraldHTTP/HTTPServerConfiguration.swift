import Glibc

/// How an `HTTPServer` listens, and its limits and timeouts.
package struct HTTPServerConfiguration: Sendable {
    /// Where to accept connections.
    package var listeners: [HTTPListenAddress]
    /// Request size limits.
    package var limits: HTTPLimits
    /// The most connections open at once. Beyond it a new connection is accepted, answered
    /// `503 Service Unavailable` with `Connection: close` and closed, so that clients such as Kratos
    /// retry instead of waiting in the kernel's backlog.
    package var maxConnections: Int
    /// Time allowed for a request head, from the connection's start or the first byte of the
    /// request (408 and close when exceeded; a connection that sent nothing is closed silently).
    package var headerReadTimeout: Duration
    /// Time allowed for a request body once the head is read (408 and close when exceeded).
    package var bodyReadTimeout: Duration
    /// How long an idle keep-alive connection is kept between requests (closed silently after).
    /// Go's HTTP client keeps idle connections 90 s; a longer server timeout spares it from
    /// reusing a connection the server is closing.
    package var keepAliveTimeout: Duration
    /// Time allowed for a response to drain into a slow client (closed when exceeded).
    package var writeTimeout: Duration
    /// After a response that closes the connection, unread input is discarded this long while the
    /// client reads the response, so that closing with unread data (which sends a reset) does not
    /// destroy the response in flight.
    package var lingerTimeout: Duration
    /// The mode of unix socket files.
    package var unixSocketMode: mode_t
    /// The `listen` backlog.
    package var backlog: Int32
    /// Called on the server thread with the status of every response sent, including the server's
    /// own (400, 408, 413, 503 busy…); for metrics. Must be quick and never block.
    package var responseObserver: (@Sendable (_ status: Int) -> Void)?

    package init(
        listeners: [HTTPListenAddress],
        limits: HTTPLimits = HTTPLimits(),
        maxConnections: Int = 1024,
        headerReadTimeout: Duration = .seconds(10),
        bodyReadTimeout: Duration = .seconds(30),
        keepAliveTimeout: Duration = .seconds(120),
        writeTimeout: Duration = .seconds(30),
        lingerTimeout: Duration = .seconds(2),
        unixSocketMode: mode_t = 0o660,
        backlog: Int32 = 1024
    ) {
        self.listeners = listeners
        self.limits = limits
        self.maxConnections = maxConnections
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.writeTimeout = writeTimeout
        self.lingerTimeout = lingerTimeout
        self.unixSocketMode = unixSocketMode
        self.backlog = backlog
    }
}
