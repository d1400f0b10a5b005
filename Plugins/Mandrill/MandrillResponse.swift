/// An HTTP answer from Mandrill, as the transport got it.
package struct MandrillResponse: Sendable {
    let status: Int
    let retryAfter: String?
    let body: [UInt8]

    package init(status: Int, retryAfter: String?, body: [UInt8]) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }
}
