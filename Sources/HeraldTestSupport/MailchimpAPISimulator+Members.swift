import HeraldCore

extension MailchimpAPISimulator {
    static let complianceStatuses: Set<String> = ["unsubscribed", "cleaned"]

    /// `PUT /lists/{id}/members/{hash}`: add or update (reference §3).
    mutating func upsert(_ body: JSON, hash: String, list: String, request: MailchimpTestRequest)
        -> MailchimpTestResponse
    {
        guard var audience = audiences[list], let email = body["email_address"]?.string else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        let expected = Self.subscriberHash(email)
        if hash != expected {
            if audience.members[expected] != nil {
                return .problem(
                    400, "Member Exists", "\(email) is already a list member. Use PUT to insert or update list members."
                )
            }
            return .problem(
                400, "Invalid Resource",
                "The subscriber hash in the URL is not the MD5 of the lower-cased email_address.")
        }
        if audience.forgotten.contains(hash) { return Self.forgotten(email) }
        let fields = body["merge_fields"]?.object ?? [:]
        let status = body["status"]?.string
        if var member = audience.members[hash] {
            let errors = audience.mergeFieldErrors(fields, complete: false)
            if !errors.isEmpty { return Self.invalidMergeFields(errors) }
            if let status {
                if status == "subscribed", Self.complianceStatuses.contains(member.status) {
                    return Self.compliance(email)
                }
                // A status restores an archived contact; status_if_new alone does not (§3).
                member.status = status
            }
            apply(body, fields: fields, to: &member)
            audience.members[hash] = member
            audiences[list] = audience
            return .json(200, Self.memberJSON(member, list: list))
        }
        let skip = request.queryParameter("skip_merge_validation") == "true"
        let errors = audience.mergeFieldErrors(fields, complete: !skip)
        if !errors.isEmpty { return Self.invalidMergeFields(errors) }
        var member = MailchimpAudience.Member(email: email, status: status ?? body["status_if_new"]?.string ?? "")
        apply(body, fields: fields, to: &member)
        audience.members[hash] = member
        audiences[list] = audience
        return .json(200, Self.memberJSON(member, list: list))
    }

    /// `POST /lists/{id}/members`: create only.
    mutating func create(_ body: JSON, list: String, request: MailchimpTestRequest) -> MailchimpTestResponse {
        guard var audience = audiences[list], let email = body["email_address"]?.string,
            let status = body["status"]?.string
        else { return .problem(404, "Resource Not Found", Self.notFound) }
        let hash = Self.subscriberHash(email)
        if audience.members[hash] != nil {
            return .problem(
                400, "Member Exists", "\(email) is already a list member. Use PUT to insert or update list members.")
        }
        if audience.forgotten.contains(hash) { return Self.forgotten(email) }
        let fields = body["merge_fields"]?.object ?? [:]
        let errors = audience.mergeFieldErrors(
            fields, complete: request.queryParameter("skip_merge_validation") != "true")
        if !errors.isEmpty { return Self.invalidMergeFields(errors) }
        var member = MailchimpAudience.Member(email: email, status: status)
        apply(body, fields: fields, to: &member)
        audience.members[hash] = member
        audiences[list] = audience
        return .json(200, Self.memberJSON(member, list: list))
    }

    /// `PATCH /lists/{id}/members/{hash}`: update only.
    mutating func update(_ body: JSON, hash: String, list: String) -> MailchimpTestResponse {
        guard var audience = audiences[list], var member = audience.members[hash] else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        let fields = body["merge_fields"]?.object ?? [:]
        let errors = audience.mergeFieldErrors(fields, complete: false)
        if !errors.isEmpty { return Self.invalidMergeFields(errors) }
        if let status = body["status"]?.string {
            if status == "subscribed", Self.complianceStatuses.contains(member.status) {
                return Self.compliance(member.email)
            }
            member.status = status
        }
        apply(body, fields: fields, to: &member)
        audience.members[hash] = member
        audiences[list] = audience
        return .json(200, Self.memberJSON(member, list: list))
    }

    /// `DELETE /lists/{id}/members/{hash}`: archive; the contact stays. An archived contact is
    /// not found again (the reference leaves 404 or 405 open, §6; 404 here).
    mutating func archive(_ hash: String, list: String) -> MailchimpTestResponse {
        guard var member = audiences[list]?.members[hash], member.status != "archived" else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        member.status = "archived"
        audiences[list]?.members[hash] = member
        return MailchimpTestResponse(status: 204, headers: ["X-Request-Id": MailchimpTestResponse.instanceID()])
    }

    /// `POST …/{hash}/tags`: `active` adds, `inactive` removes; 204 with an empty body.
    mutating func changeTags(_ body: JSON, hash: String, list: String) -> MailchimpTestResponse {
        guard var member = audiences[list]?.members[hash] else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        for item in body["tags"]?.array ?? [] {
            guard let name = item["name"]?.string else { continue }
            if item["status"]?.string == "active" {
                if !member.tags.contains(name) { member.tags.append(name) }
            } else {
                member.tags.removeAll { $0 == name }
            }
        }
        audiences[list]?.members[hash] = member
        return MailchimpTestResponse(status: 204, headers: ["X-Request-Id": MailchimpTestResponse.instanceID()])
    }

    /// `POST …/{hash}/actions/delete-permanent`: gone, and never to be re-added by the API.
    mutating func deletePermanently(_ hash: String, list: String) -> MailchimpTestResponse {
        guard audiences[list]?.members[hash] != nil else { return .problem(404, "Resource Not Found", Self.notFound) }
        audiences[list]?.members[hash] = nil
        audiences[list]?.forgotten.insert(hash)
        return MailchimpTestResponse(status: 204, headers: ["X-Request-Id": MailchimpTestResponse.instanceID()])
    }

    func read(_ hash: String, list: String) -> MailchimpTestResponse {
        guard let member = audiences[list]?.members[hash] else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        return .json(200, Self.memberJSON(member, list: list))
    }

    func tags(_ hash: String, list: String) -> MailchimpTestResponse {
        guard let member = audiences[list]?.members[hash] else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        let tags = member.tags.enumerated().map {
            JSON.object(["id": .int(Int64($0.offset + 1)), "name": .string($0.element)])
        }
        return .json(200, ["tags": .array(tags), "total_items": .int(Int64(tags.count))])
    }

    func members(_ list: String) -> MailchimpTestResponse {
        let members = (audiences[list]?.members.values).map { $0.sorted { $0.email < $1.email } } ?? []
        return .json(
            200,
            [
                "members": .array(members.map { Self.memberJSON($0, list: list) }), "list_id": .string(list),
                "total_items": .int(Int64(members.count)),
            ])
    }

    /// `GET /lists/{id}/merge-fields`: `count` is 10 unless given, and at most 1000.
    func mergeFields(_ list: String, count: String?) -> MailchimpTestResponse {
        let limit = count.map { Int($0) } ?? 10
        guard let limit, (0...1000).contains(limit) else {
            return Self.invalidResource([
                SchemaViolation(path: "count", message: "must be an integer between 0 and 1000")
            ])
        }
        let all = audiences[list]?.mergeFields ?? []
        let fields = all.prefix(limit).enumerated().map { index, field in
            JSON.object([
                "merge_id": .int(Int64(index + 1)), "tag": .string(field.tag), "name": .string(field.tag),
                "type": .string(field.type), "required": .bool(field.required), "list_id": .string(list),
            ])
        }
        return .json(
            200, ["merge_fields": .array(fields), "list_id": .string(list), "total_items": .int(Int64(all.count))])
    }

    /// `GET /lists/{id}`: the audience's settings and counts (`Subscriber List`).
    func audience(_ list: String) -> MailchimpTestResponse {
        let members = audiences[list]?.members.values.map(\.status) ?? []
        func count(_ status: String) -> JSON { .int(Int64(members.filter { $0 == status }.count)) }
        return .json(
            200,
            [
                "id": .string(list), "web_id": 101, "name": .string(audiences[list]?.name ?? ""),
                "permission_reminder": "You signed up on example.com.", "use_archive_bar": false,
                "notify_on_subscribe": "", "notify_on_unsubscribe": "", "date_created": "2024-03-01T10:00:00+00:00",
                "list_rating": 0, "email_type_option": false, "visibility": "prv", "double_optin": false,
                "has_welcome": false, "marketing_permissions": false, "modules": [],
                "stats": [
                    "member_count": count("subscribed"), "unsubscribe_count": count("unsubscribed"),
                    "cleaned_count": count("cleaned"),
                    "merge_field_count": .int(Int64(audiences[list]?.mergeFields.count ?? 0)),
                ],
                "_links": [],
            ])
    }

    private func apply(_ body: JSON, fields: JSONObject, to member: inout MailchimpAudience.Member) {
        for (tag, value) in fields { member.mergeFields[tag] = value }
        if let language = body["language"]?.string { member.language = language }
    }

    static func compliance(_ email: String) -> MailchimpTestResponse {
        .problem(
            400, "Member In Compliance State",
            "\(email) is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be "
                + "subscribed.")
    }

    static func forgotten(_ email: String) -> MailchimpTestResponse {
        .problem(
            400, "Forgotten Email Not Subscribed",
            "\(email) was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back "
                + "on the list.")
    }

    static func invalidMergeFields(_ errors: [(field: String, message: String)]) -> MailchimpTestResponse {
        .problem(400, "Invalid Resource", "Your merge fields were invalid.", errors: errors)
    }
}
