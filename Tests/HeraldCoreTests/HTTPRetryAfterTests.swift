import HeraldCore
import Testing

/// `Retry-After` in every form RFC 9110 allows and some it does not; moved here from the Mandrill
/// plugin's tests when its copy (`RetryAfter`) gave way to this type.
@Suite struct HTTPRetryAfterTests {
    let now = WallClock(millisecondsSinceEpoch: 784_111_717_000)  // Sun, 06 Nov 1994 08:48:37 GMT

    /// Fuzzing finding: a date with a huge year trapped on overflow in the HTTP-date branch.
    @Test func aHugeYearIsUnusableNotACrash() {
        #expect(HTTPRetryAfter("Sun, 02 Oct 293333339 07:00:00 GMT", now: now) == .unusable)
        #expect(HTTPRetryAfter("Sun Oct  2 07:00:00 9223372036854775807", now: now) == .unusable)
        #expect(HTTPRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == .wait(HTTPRetryAfter.maximum))
    }

    @Test func forms() {
        #expect(HTTPRetryAfter("0", now: now) == .wait(.zero))
        #expect(HTTPRetryAfter(" 30 ", now: now) == .wait(.seconds(30)))
        #expect(HTTPRetryAfter("99999999999999999999", now: now) == .wait(HTTPRetryAfter.maximum))
        #expect(HTTPRetryAfter("86401", now: now) == .wait(HTTPRetryAfter.maximum))
        #expect(HTTPRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .wait(.seconds(60)))
        #expect(HTTPRetryAfter("Sun Nov  6 08:49:37 1994", now: now) == .wait(.seconds(60)))
        #expect(HTTPRetryAfter("Sun, 06 Nov 1994 08:47:37 GMT", now: now) == .absent)
        #expect(HTTPRetryAfter("-5", now: now) == .unusable)
        #expect(HTTPRetryAfter("", now: now) == .absent)
        #expect(HTTPRetryAfter(nil, now: now) == .absent)
        #expect(HTTPRetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == WallClock(millisecondsSinceEpoch: 0))
        #expect(
            HTTPRetryAfter.httpDate("Sat, 29 Feb 2028 23:59:59 GMT")
                == WallClock(millisecondsSinceEpoch: 1_835_481_599_000))
    }
}
