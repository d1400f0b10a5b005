internal import CPostgres
import Glibc
import HeraldCore

/// One connection to PostgreSQL through libpq, PostgreSQL's own client library (no wire
/// protocol is written here). Not thread-safe: one owner uses it from one thread at a time; the
/// store keeps a few of them on threads of their own, never on Swift's shared threads.
///
/// ```swift
/// let connection = try PostgresConnection(dsn: "host=/run/postgresql dbname=herald")
/// let rows = try connection.query("SELECT now()::text")
/// ```
package final class PostgresConnection {
    // Owned: created in init, freed in deinit, never shared between owners.
    private let raw: OpaquePointer
    /// Statements prepared on this connection, by their text: each is parsed and planned once,
    /// not on every call (the delivery path runs the same few thousands of times a second).
    private var prepared: [String: String] = [:]
    /// Prepared statements kept at most; beyond, statements run unprepared.
    static let maxPrepared = 64
    /// False once the server lost or refused a prepared statement (a pooler such as PgBouncer in
    /// transaction mode hands each transaction another server connection): then every statement
    /// runs unprepared, as before.
    private var preparing = true

    /// The `application_name` of `herald serve`'s connections, by which the queue commands tell
    /// whether any instance runs on a database.
    package static let serveApplicationName = "herald serve"

    /// Connects; `connectTimeout` bounds the whole attempt (libpq's connect_timeout, whole seconds).
    /// - Parameter applicationName: what `pg_stat_activity` shows for the connection.
    /// - Throws: `PostgresError` of kind `.connection`.
    package init(dsn: String, connectTimeout: Duration = .seconds(5), applicationName: String = "herald")
        throws(PostgresError)
    {
        let seconds = max(2, Int(connectTimeout.components.seconds))
        // Keywords given after the DSN's own win, so the caller's timeout applies; the DSN may be
        // a URI (postgresql://…) or key=value pairs, which PQconnectdbParams expands.
        // Keepalives and a TCP user timeout notice a dead peer (a half-open connection would block
        // a thread forever); statement_timeout bounds every statement.
        let keywords = [
            "dbname", "connect_timeout", "application_name", "client_encoding", "keepalives", "keepalives_idle",
            "keepalives_interval", "keepalives_count", "tcp_user_timeout", "options",
        ]
        let values = [
            dsn, String(seconds), applicationName, "UTF8", "1", "10", "5", "3", "30000", "-c statement_timeout=30s",
        ]
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw PostgresError(.connection, "out of memory while connecting") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.text(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(.connection, "cannot connect to PostgreSQL: \(message)")
        }
        // Server notices ("relation already exists, skipping") would go to stderr unformatted.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        raw = connection
    }

    deinit {
        PQfinish(raw)
    }

    /// Whether libpq can read `dsn`; its own message is not returned, since it may quote the
    /// password.
    package static func isValid(dsn: String) -> Bool {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(dsn, &error) else {
            if let error { PQfreemem(error) }
            return false
        }
        PQconninfoFree(options)
        return true
    }

    /// False once the connection broke; the store then opens a new one.
    package var isHealthy: Bool { PQstatus(raw) == CONNECTION_OK }

    /// The server's version number, such as 150018 for 15.18.
    package var serverVersion: Int { Int(PQserverVersion(raw)) }

    /// The socket, for waiting on notifications with poll(2).
    package var socket: Int32 { PQsocket(raw) }

    /// Runs `sql` with text parameters (`$1`, `$2`, …; nil is NULL) and returns the rows as text.
    /// - Throws: `PostgresError`, `.statement` with the SQLSTATE, or `.connection` when the
    ///   connection broke.
    @discardableResult
    package func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        if preparing {
            do throws(PostgresError) {
                if let name = try statement(for: sql, parameters: parameters.count) {
                    let result = Self.withOptionalCStrings(parameters) { pointers in
                        PQexecPrepared(raw, name, Int32(parameters.count), pointers, nil, nil, 0)
                    }
                    return try Self.rows(of: result, connection: raw)
                }
            } catch where error.sqlState == "26000" || error.sqlState == "42P05" {
                // No such prepared statement, or one of that name already: a pooler between us.
                preparing = false
                prepared = [:]
            }
        }
        let result = Self.withOptionalCStrings(parameters) { pointers in
            PQexecParams(raw, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try Self.rows(of: result, connection: raw)
    }

    /// The name of `sql` prepared on this connection (preparing it now when new); nil once the
    /// cache is full. Inside a failed transaction nothing can be prepared: then it runs unprepared.
    private func statement(for sql: String, parameters: Int) throws(PostgresError) -> String? {
        if let name = prepared[sql] { return name }
        let status = PQtransactionStatus(raw)
        guard prepared.count < Self.maxPrepared, status == PQTRANS_IDLE || status == PQTRANS_INTRANS else { return nil }
        let name = "herald_\(prepared.count + 1)"
        _ = try Self.rows(of: PQprepare(raw, name, sql, Int32(parameters), nil), connection: raw)
        prepared[sql] = name
        return name
    }

    /// Runs several statements without parameters (a migration).
    package func execute(_ sql: String) throws(PostgresError) {
        _ = try Self.rows(of: PQexec(raw, sql), connection: raw)
    }

    /// `LISTEN channel`.
    package func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN \(channel)")
    }

    /// Waits up to `timeout` for notifications and returns their channels (empty when none came).
    /// - Throws: `.connection` when the connection broke while waiting.
    package func waitForNotifications(upTo timeout: Duration) throws(PostgresError) -> [String] {
        var channels = drainNotifications()
        guard channels.isEmpty else { return channels }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.saturatingMilliseconds)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready > 0 {
            guard PQconsumeInput(raw) == 1 else {
                throw PostgresError(.connection, "lost the connection: \(Self.text(PQerrorMessage(raw)))")
            }
            channels = drainNotifications()
        }
        return channels
    }

    private func drainNotifications() -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(raw) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }

    // MARK: Results

    private static func rows(of result: OpaquePointer?, connection: OpaquePointer) throws(PostgresError) -> PostgresRows
    {
        guard let result else {
            throw PostgresError(.connection, "no result: \(text(PQerrorMessage(connection)))")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(columns: [], rows: [], affected: affectedRows(result))
        case PGRES_TUPLES_OK:
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            var rows: [[String?]] = []
            rows.reserveCapacity(Int(PQntuples(result)))
            for row in 0..<PQntuples(result) {
                rows.append(
                    (0..<Int32(columnCount)).map { column in
                        PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                    })
            }
            return PostgresRows(columns: columns, rows: rows, affected: rows.count)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = text(PQresultErrorMessage(result))
            if PQstatus(connection) != CONNECTION_OK {
                throw PostgresError(.connection, "lost the connection: \(message)", sqlState: state)
            }
            throw PostgresError(.statement, message, sqlState: state)
        }
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        return String(cString: pointer).trimmingWhitespace()
    }

    // MARK: C strings

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        withOptionalCStrings(strings.map { Optional($0) }) { body($0 + [nil]) }
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        return copies.withUnsafeMutableBufferPointer { buffer in
            body(buffer.map { $0.map { UnsafePointer($0) } })
        }
    }
}

/// Rows of a result, every value as text (nil for NULL).
package struct PostgresRows: Sendable {
    package let columns: [String]
    package let rows: [[String?]]
    /// Rows a command changed (INSERT, UPDATE, DELETE), or returned.
    package let affected: Int

    package var isEmpty: Bool { rows.isEmpty }

    /// The value of `column` in `row`.
    package func value(_ row: Int, _ column: String) -> String? {
        guard let index = columns.firstIndex(of: column), row < rows.count else { return nil }
        return rows[row][index]
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        return String(scalars)
    }
}
