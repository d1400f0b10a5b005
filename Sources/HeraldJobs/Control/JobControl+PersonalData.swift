import HeraldCore

/// `herald forget` and `herald export` (GDPR Art. 17 and 15) on any `JobStore`: a person's queued
/// jobs, dead letters and what actions keep (outbox files), found by what they hold (see
/// `DataSubject`).
extension JobControl {
    package func forget(_ subject: DataSubject) throws(JobStoreError) -> JSON {
        let filter = JobFilter(subject: subject)
        var counts: [JobSection: Int] = [.queue: 0, .dead: 0]
        var running = 0
        for section in [JobSection.queue, .dead] {
            for item in try store.page(section, filter: filter, limit: 0).items {
                do throws(JobStoreError) {
                    let before = try store.dropJob(item.id)
                    counts[section, default: 0] += 1
                    if before == .running { running += 1 }
                } catch  where error.kind == .notFound {
                    // Finished, or dropped by someone else, meanwhile.
                    continue
                }
            }
        }
        var files = 0
        for keeper in keepers() {
            do throws(KeptDataError) {
                files += try keeper.forget(subject)
            } catch {
                throw JobStoreError(
                    .unavailable, "\(keeper.keptKind) of action '\(keeper.name)' could not be removed: \(error)",
                    cause: error)
            }
        }
        // Done and dropped jobs, this person's among them, may still be in the store's files.
        try store.scrub()
        let digest = subject.digest
        audit.info(
            "forgot a person",
            [
                "subject_digest": .string(digest), "jobs": .int(counts[.queue] ?? 0),
                "dead_letters": .int(counts[.dead] ?? 0), "files": .int(files), "running": .int(running),
            ])
        var answer: JSON = [
            "jobs": .int(Int64(counts[.queue] ?? 0)), "dead_letters": .int(Int64(counts[.dead] ?? 0)),
            "files": .int(Int64(files)), "subject_digest": .string(digest),
        ]
        if running > 0 {
            answer = answer.adding(
                "note",
                .string("\(running) attempt\(running == 1 ? " was" : "s were") under way; they finish, unrecorded"))
        }
        return answer
    }

    package func export(_ subject: DataSubject) throws(JobStoreError) -> JSON {
        let filter = JobFilter(subject: subject)
        let jobs = try store.page(.queue, filter: filter, limit: 0).items.map { describe($0, payload: true) }
        let dead = try store.page(.dead, filter: filter, limit: 0).items.map { describe($0, payload: true) }
        var files: [JSON] = []
        for keeper in keepers() {
            do throws(KeptDataError) {
                files += try keeper.export(subject)
            } catch {
                throw JobStoreError(
                    .unavailable, "\(keeper.keptKind) of action '\(keeper.name)' could not be read: \(error)",
                    cause: error)
            }
        }
        return [
            "subject": subject.json, "exported_at": .string(store.now.rfc3339), "jobs": .array(jobs),
            "dead_letters": .array(dead), "files": .array(files),
        ]
    }
}
