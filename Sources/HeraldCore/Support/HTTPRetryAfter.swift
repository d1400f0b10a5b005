import FoundationEssentials

/// The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date. Shared by
/// the plugins that call HTTP APIs (Mandrill, Kratos, Mailchimp, Webhook).
///
/// Anything between Herald and a provider (a proxy, a load balancer) controls this header, so every
/// value is handled: a usable one is capped at `maximum`, anything else is `unusable` and ignored.
package enum HTTPRetryAfter: Sendable, Equatable {
    /// No header, or a date already past: the retry schedule decides.
    case absent
    /// Wait this long (at most `maximum`).
    case wait(Duration)
    /// Present but not a delay Herald can use (malformed, or a date outside years 1–9999).
    case unusable

    /// The longest wait honoured; a peer asking for more gets this much.
    package static let maximum = Duration.seconds(86_400)

    /// Reads `value`, counting a date from `now`.
    package init(_ value: String?, now: WallClock) {
        guard let text = value?.trimmingSpaces(), !text.isEmpty else {
            self = .absent
            return
        }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Digits that do not fit in Int64 are still "a very long time": capped, like any other.
            guard let seconds = Int64(text), seconds < Self.maximum.components.seconds else {
                self = .wait(Self.maximum)
                return
            }
            self = .wait(.seconds(seconds))
            return
        }
        guard let date = Self.httpDate(text) else {
            self = .unusable
            return
        }
        let wait = date - now
        self = wait > .zero ? .wait(min(wait, Self.maximum)) : .absent
    }

    /// The wait, when there is one to honour.
    package var wait: Duration? {
        if case .wait(let duration) = self { return duration }
        return nil
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the obsolete RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms that
    /// RFC 9110 says recipients must accept.
    package static func httpDate(_ text: String) -> WallClock? {
        let tokens = text.split { $0 == " " || $0 == "," || $0 == "-" || $0 == ":" }.map(String.init)
        let day: String
        let month: String
        let year: String
        let clock: ArraySlice<String>
        if tokens.count == 8, tokens[7] == "GMT" {
            (day, month, year, clock) = (tokens[1], tokens[2], tokens[3], tokens[4..<7])
        } else if tokens.count == 7 {
            (day, month, year, clock) = (tokens[2], tokens[1], tokens[6], tokens[3..<6])
        } else {
            return nil
        }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: month), let dayNumber = Int(day), (1...31).contains(dayNumber),
            var yearNumber = Int(year), let hour = Int(clock[clock.startIndex]),
            let minute = Int(clock[clock.startIndex + 1]), let second = Int(clock[clock.startIndex + 2]),
            hour < 24, minute < 60, second < 61
        else { return nil }
        if year.count == 2 { yearNumber += yearNumber < 70 ? 2000 : 1900 }
        // Four digits at most, as every HTTP-date form writes it; beyond, the arithmetic below
        // could overflow, and no real server means it.
        guard (1...9999).contains(yearNumber) else { return nil }
        let days = daysSinceEpoch(year: yearNumber, month: monthIndex + 1, day: dayNumber)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return WallClock(millisecondsSinceEpoch: seconds * 1000)
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
    /// `days_from_civil`).
    package static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
