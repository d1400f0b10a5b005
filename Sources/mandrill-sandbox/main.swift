import Foundation
import HeraldCore
import HeraldTestSupport

// mandrill-sandbox: the Mandrill-compatible server Herald's tests use, on a port of your choice,
// printing every call Herald makes and the answer it got. Every request is checked against
// Mailchimp Transactional's published OpenAPI description, as Mandrill would check it; nothing
// is sent anywhere. Point an action's base_url at it (scripts/mandrill-sandbox --help).

let usage = """
    usage: scripts/mandrill-sandbox [--port N] [--key KEY]... [--template NAME]... [--reject ADDRESS]...

    Runs a Mandrill-compatible API on 127.0.0.1 (default port 4480) and prints each call: the
    endpoint, the template, the recipients, and the answer. Set the action's
    base_url: http://127.0.0.1:4480/api/1.0 and its api_key to one of the --key values (default
    sandbox-key). Templates named with --template exist (default: welcome); others answer
    Unknown_Template. --reject ADDRESS answers that recipient as rejected (hard-bounce).
    Stop with Ctrl-C.

    """

var port: UInt16 = 4480
var keys: Set<String> = []
var templates: Set<String> = []
var rejected: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--help", "-h":
        print(usage, terminator: "")
        exit(0)
    case "--port", "--key", "--template", "--reject":
        guard let value = arguments.popFirst() else {
            FileHandle.standardError.write(Data("mandrill-sandbox: \(argument) needs a value\n\n\(usage)".utf8))
            exit(2)
        }
        switch argument {
        case "--port":
            guard let number = UInt16(value) else {
                FileHandle.standardError.write(Data("mandrill-sandbox: --port takes 0-65535\n".utf8))
                exit(2)
            }
            port = number
        case "--key": keys.insert(value)
        case "--template": templates.insert(value)
        default: rejected[value] = "hard-bounce"
        }
    default:
        FileHandle.standardError.write(Data("mandrill-sandbox: unknown argument '\(argument)'\n\n\(usage)".utf8))
        exit(2)
    }
}
if keys.isEmpty { keys = ["sandbox-key"] }
if templates.isEmpty { templates = ["welcome"] }

do {
    let server = try MandrillTestServer(keys: keys, templates: templates, rejected: rejected)
    server.observe { request, answer in
        let body = request.json
        let message = body?["message"]
        var parts = ["\(request.method) \(request.path)"]
        if let template = body?["template_name"]?.string { parts.append("template=\(template)") }
        let recipients = (message?["to"]?.array ?? []).compactMap { $0["email"]?.string }
        if !recipients.isEmpty { parts.append("to=\(recipients.joined(separator: ","))") }
        if let subject = message?["subject"]?.string { parts.append("subject=\"\(subject)\"") }
        if let job = message?["metadata"]?["herald_job"]?.string { parts.append("herald_job=\(job)") }
        switch answer {
        case .respond(let response, _):
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            parts.append("→ \(response.status) \(text)")
        case .close:
            parts.append("→ connection closed")
        }
        // Unbuffered, a line at a time, so a pipe sees each call as it happens.
        FileHandle.standardOutput.write(Data((parts.joined(separator: " ") + "\n").utf8))
    }
    try server.start(port: port)
    let keyList = keys.sorted().joined(separator: " or ")
    FileHandle.standardOutput.write(
        Data("mandrill-sandbox: listening; base_url: \(server.baseURL ?? "?"), api_key: \(keyList)\n".utf8))
    dispatchMain()
} catch {
    FileHandle.standardError.write(Data("mandrill-sandbox: \(error)\n".utf8))
    exit(1)
}
