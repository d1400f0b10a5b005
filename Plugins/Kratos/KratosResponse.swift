/// An HTTP answer from Kratos, as the transport got it.
package struct KratosResponse: Sendable {
    let status: Int
    let retryAfter: String?
    /// The `Location` of a redirect, which is reported and never followed.
    let location: String?
    let body: [UInt8]

    package init(status: Int, retryAfter: String?, location: String? = nil, body: [UInt8]) {
        self.status = status
        self.retryAfter = retryAfter
        self.location = location
        self.body = body
    }
}
