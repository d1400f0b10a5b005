import HeraldConfig
import Testing

/// The passwords a DSN holds are found in every form libpq reads, so that its errors, the store's
/// log lines and the console's copy of the file never show one.
@Suite struct DSNPasswordsTests {
    private func masked(_ dsn: String, _ text: String) -> String {
        PostgresStoreSettings(dsn: dsn).redacted(text)
    }

    @Test func aURIsUserInformationAndQueryPasswordsAreFound() {
        #expect(PostgresStoreSettings.passwords(in: "postgresql://herald:s3cret-pw@db/herald") == ["s3cret-pw"])
        let query = PostgresStoreSettings.passwords(
            in: "postgresql://herald@db/herald?sslmode=require&password=q%40ery-pw&application_name=h")
        #expect(query == ["q%40ery-pw", "q@ery-pw"])
        let text = masked(
            "postgresql://herald@db/herald?password=query-secret&sslmode=require",
            "server said: password authentication failed (query-secret)")
        #expect(!text.contains("query-secret"), "\(text)")
    }

    @Test func keywordValuePasswordsAreFoundWithSpacesAndQuotes() {
        #expect(PostgresStoreSettings.passwords(in: "host=db password=plain-pw dbname=h") == ["plain-pw"])
        #expect(PostgresStoreSettings.passwords(in: "host=db password = spaced-pw dbname=h") == ["spaced-pw"])
        #expect(PostgresStoreSettings.passwords(in: "host=db\npassword=lined-pw\ndbname=h") == ["lined-pw"])
        #expect(
            PostgresStoreSettings.passwords(in: #"host=db password='it\'s a pw' dbname=h"#) == ["it's a pw"])
        // The client key's passphrase is a secret too; "password" inside it is not a second one.
        #expect(PostgresStoreSettings.passwords(in: "host=db sslpassword=key-pass dbname=h") == ["key-pass"])
        #expect(
            PostgresStoreSettings.passwords(in: "postgresql://db/h?sslpassword=key-pass&password=pw-two")
                == ["key-pass", "pw-two"])
        #expect(PostgresStoreSettings.passwords(in: "host=db dbname=h") == [])
    }

    @Test func piecesTooShortToMaskSafelyAreLeftOut() {
        #expect(PostgresStoreSettings.passwords(in: "postgresql://u:pw@db/h?password=x") == [])
    }
}
