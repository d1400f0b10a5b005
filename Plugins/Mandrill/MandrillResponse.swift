/// An HTTP answer from Mandrill, as the transport got it.
struct MandrillResponse: Sendable {
    let status: Int
    let retryAfter: String?
    let body: [UInt8]
}
