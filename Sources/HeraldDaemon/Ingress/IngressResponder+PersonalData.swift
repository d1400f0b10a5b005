import Dispatch
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// `POST /v1/personal-data/forget` (`privacy_api:`): what `herald forget` does, for a deletion
/// pipeline to call after it deleted the identity in Kratos. Only behind the `privacy_api`
/// credentials, which the configuration refuses to share with Kratos' ingress credentials; off
/// (404) without them. The body names the person: `{"identity": "…", "email": "…"}` (either or
/// both); the answer is `herald forget --json`'s.
extension IngressResponder {
    /// Refuses before the body is read: off, a method other than POST, or not its credentials.
    func screenForget(_ head: HTTPRequestHead) -> HTTPResponse? {
        guard let authenticator = running.current.ingress.privacyAuthenticator else {
            return .error(404, "the personal-data API is off (privacy_api is not configured)")
        }
        guard head.method == "POST" else {
            var response = HTTPResponse.error(405, "use POST")
            response.headers.add(name: "Allow", value: "POST")
            return response
        }
        guard authenticator.authorizes(head.headers) else {
            logger.warning("request refused: missing or wrong credentials", ["path": .string(String(head.path))])
            return .error(401, "missing or wrong credentials")
        }
        return nil
    }

    func forgetPerson(_ request: HTTPRequest, writer: HTTPResponseWriter) {
        guard let control = personalData else {
            writer.respond(.error(404, "the personal-data API is off"))
            return
        }
        let subject: DataSubject
        do throws(JobStoreError) {
            subject = try Self.subject(request.body)
        } catch {
            writer.respond(.error(error.status, error.clientMessage))
            return
        }
        // Reads payloads, fsyncs and rewrites the spool: never on the HTTP thread. Serial, so
        // that requests apply one after another.
        IngressResponder.personalDataWork.async {
            let (status, body): (Int, JSON)
            do throws(JobStoreError) {
                (status, body) = (200, try control.forget(subject))
            } catch {
                (status, body) = (error.status, ["error": .string(error.clientMessage)])
            }
            writer.respond(.json(status, body.serialized()))
        }
    }

    static let personalDataWork = DispatchQueue(label: "herald.personal-data")

    /// The person a request body names.
    private static func subject(_ body: [UInt8]) throws(JobStoreError) -> DataSubject {
        guard let document = try? JSONDocument(parsing: body), document.root.kind == .object else {
            throw JobStoreError(.invalid, #"the body must be a JSON object: {"identity": "…", "email": "…"}"#)
        }
        let root = document.root
        for key in ["identity", "email"] {
            if let value = root[key], !value.isNull, value.string == nil {
                throw JobStoreError(.invalid, "'\(key)' must be a string")
            }
        }
        let identity = root["identity"]?.string
        let email = root["email"]?.string
        if let problem = DataSubject.problem(identity: identity, email: email) {
            throw JobStoreError(.invalid, problem)
        }
        guard let subject = DataSubject(identity: identity, email: email) else {
            throw JobStoreError(.invalid, "no person given")
        }
        return subject
    }
}
