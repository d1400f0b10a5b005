import HeraldCore

extension MandrillAction: DiagnosableAction {
    /// The key, every `from` domain, every template a route can name and the webhook; see
    /// `MandrillDiagnosis`.
    func diagnose(_ context: DiagnosisContext) async -> [Finding] {
        let diagnosis = MandrillDiagnosis(
            action: name, settings: settings, transport: transport, redactor: redactor, deadline: context.deadline)
        return await diagnosis.run(context)
    }
}
