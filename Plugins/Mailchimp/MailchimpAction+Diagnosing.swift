import HeraldCore

extension MailchimpAction: DiagnosableAction {
    /// The key, every audience a route uses and every merge field it sets; see
    /// `MailchimpDiagnosis`.
    func diagnose(_ context: DiagnosisContext) async -> [Finding] {
        let diagnosis = MailchimpDiagnosis(
            action: name, settings: settings, transport: transport, redactor: redactor, deadline: context.deadline)
        return await diagnosis.run(context)
    }
}
