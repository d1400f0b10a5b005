/// The two sending operations.
enum MandrillEndpoint: String, Sendable {
    case send = "messages/send"
    case sendTemplate = "messages/send-template"
}
