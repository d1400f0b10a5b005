/// What went wrong talking to PostgreSQL. Messages come from libpq and the server; they name
/// hosts and databases but never a password (libpq does not echo it, and the DSN is never
/// quoted here).
package struct PostgresError: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// No connection could be made, or it broke: retry later, with backoff.
        case connection
        /// The server refused a statement (the SQLSTATE says why).
        case statement
        /// The schema is missing or of another version.
        case schema
    }

    package let kind: Kind
    /// The five-character SQLSTATE, when the server sent one (`40001` serialization failure…).
    package let sqlState: String?
    package let message: String

    package init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
    }

    package var description: String {
        sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
    }

    /// True when trying again later can succeed: the connection, or a conflict between
    /// transactions (serialization failure, deadlock).
    package var isTransient: Bool {
        kind == .connection || sqlState == "40001" || sqlState == "40P01" || sqlState?.hasPrefix("08") == true
            || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }
}
