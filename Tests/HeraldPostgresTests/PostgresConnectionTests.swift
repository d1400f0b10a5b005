import HeraldPostgres
import HeraldTestSupport
import Testing

/// The connection prepares each statement once; when the server forgets them (a pooler in
/// transaction mode hands the session another server connection), it goes on unprepared.
@Suite(.enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct PostgresConnectionTests {
    @Test func statementsArePreparedOnceAndAForgottenOneRunsUnprepared() throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let connection = try PostgresConnection(dsn: try cluster.createDatabase())
        let sql = "SELECT $1::integer + 1 AS next"
        #expect(try connection.query(sql, ["1"]).value(0, "next") == "2")
        #expect(try connection.query(sql, ["2"]).value(0, "next") == "3")
        let prepared = try connection.query("SELECT count(*) AS n FROM pg_prepared_statements")
        #expect(prepared.value(0, "n") == "2")  // the statement above, and this count
        try connection.execute("DEALLOCATE ALL")
        #expect(try connection.query(sql, ["3"]).value(0, "next") == "4")
        #expect(try connection.query(sql, ["4"]).value(0, "next") == "5")
    }
}
