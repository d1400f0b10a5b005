import HeraldCore
import HeraldJobs
import Testing

/// The one attempt decision both stores record: outcome, attempt, series start, time, policy.
@Suite struct AttemptVerdictTests {
    private let start = WallClock(millisecondsSinceEpoch: 1_800_000_000_000)
    private let policy = RetryPolicy(schedule: [.seconds(5), .seconds(30)], jitter: 0.2, maxAge: .seconds(120))

    @Test func aDeliveryIsDeliveredWithItsDetail() {
        let verdict = AttemptVerdict.decide(
            .delivered(detail: "id-1"), attempt: 1, seriesStart: start, now: start, policy: policy)
        #expect(verdict == .delivered(detail: "id-1"))
        #expect(verdict.transition == .deliver)
    }

    @Test func aFailureIsADeadLetterWithThePluginsWords() {
        let verdict = AttemptVerdict.decide(
            .failed(reason: "rejected: hard-bounce"), attempt: 1, seriesStart: start, now: start, policy: policy)
        #expect(verdict == .dead(.failed("rejected: hard-bounce")))
        guard case .dead(let death) = verdict else { return }
        #expect(death.description == "rejected: hard-bounce")
        #expect(death.lastAnswer == "rejected: hard-bounce")
    }

    /// The schedule's step with jitter (the draw fixed), counted from the attempt's end.
    @Test func aRetryWaitsTheSchedulesStepWithJitter() {
        let now = start.adding(.seconds(10))
        let verdict = AttemptVerdict.decide(
            .retry(after: nil, reason: "503", ambiguous: false), attempt: 1, seriesStart: start, now: now,
            policy: policy, random: 1)
        #expect(verdict == .retry(at: now.adding(.seconds(6)), reason: "503", mayHaveSent: false))
        let second = AttemptVerdict.decide(
            .retry(after: nil, reason: "503", ambiguous: false), attempt: 2, seriesStart: start, now: now,
            policy: policy, random: -1)
        #expect(second == .retry(at: now.adding(.seconds(24)), reason: "503", mayHaveSent: false))
        // Past the schedule's end, its last step repeats.
        let ninth = AttemptVerdict.decide(
            .retry(after: nil, reason: "503", ambiguous: false), attempt: 9, seriesStart: start, now: now,
            policy: policy, random: 0)
        #expect(ninth == .retry(at: now.adding(.seconds(30)), reason: "503", mayHaveSent: false))
    }

    /// A peer's Retry-After wins when later than the schedule.
    @Test func thePeersWaitWinsWhenLater() {
        let verdict = AttemptVerdict.decide(
            .retry(after: .seconds(60), reason: "429", ambiguous: false), attempt: 1, seriesStart: start, now: start,
            policy: policy, random: 0)
        #expect(verdict == .retry(at: start.adding(.seconds(60)), reason: "429", mayHaveSent: false))
    }

    /// `ambiguous` is carried as a field: the next attempt may ask the peer first.
    @Test func anAmbiguousRetryMayHaveSent() {
        let verdict = AttemptVerdict.decide(
            .retry(after: nil, reason: "timed out", ambiguous: true), attempt: 1, seriesStart: start, now: start,
            policy: policy, random: 0)
        #expect(verdict == .retry(at: start.adding(.seconds(5)), reason: "timed out", mayHaveSent: true))
    }

    /// max_age counts from the series start: a retry that would land past it is a dead letter
    /// that says why, with the last answer kept.
    @Test func aRetryPastMaxAgeIsADeadLetterThatSaysWhy() {
        let now = start.adding(.seconds(100))
        let verdict = AttemptVerdict.decide(
            .retry(after: nil, reason: "503", ambiguous: true), attempt: 4, seriesStart: start, now: now,
            policy: policy, random: 0)
        #expect(verdict == .dead(.expired(attempts: 4, maxAge: .seconds(120), last: "503")))
        guard case .dead(let death) = verdict else { return }
        #expect(death.description == "gave up after 4 attempts (max_age 2m); last: 503")
        #expect(death.lastAnswer == "503")
        #expect(verdict.transition == .fail)
        // The same attempt in a series that began later (a revived dead letter) is retried.
        let revived = AttemptVerdict.decide(
            .retry(after: nil, reason: "503", ambiguous: true), attempt: 4, seriesStart: now, now: now,
            policy: policy, random: 0)
        #expect(revived == .retry(at: now.adding(.seconds(30)), reason: "503", mayHaveSent: true))
    }
}
