/// What the route playground's form holds: a payload, the event it is (or none: the payload
/// says), the hook's method.
struct PlaygroundInput {
    var payload = ""
    var event = ""
    var method = ""
    var submitted = false

    init() {}

    init(_ form: FormData) {
        payload = form["payload"] ?? ""
        event = form.nonEmpty("event") ?? ""
        method = form.nonEmpty("method") ?? ""
        submitted = true
    }
}
