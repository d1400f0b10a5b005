/// An HTTP answer from Kratos, as the transport got it.
package struct KratosResponse: Sendable {
    let status: Int
    let retryAfter: String?
    let body: [UInt8]

    package init(status: Int, retryAfter: String?, body: [UInt8]) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }
}
