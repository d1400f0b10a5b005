// swift-tools-version:6.1
import PackageDescription

// Every target builds in the Swift 6 language mode with complete concurrency checking.
let package = Package(
    name: "herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"])
    ],
    targets: [
        // libyaml through pkg-config; only HeraldConfig imports it.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // libpq, PostgreSQL's own client library, for the shared job store; only HeraldPostgres
        // imports it.
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // libcurl's C API: Herald's HTTP client and the smtp plugin's sessions (curl speaks
        // SMTP, STARTTLS and AUTH); only HeraldHTTPClient, SmtpPlugin and herald-bench import it.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // OpenSSL's libcrypto: digests, HMAC, constant-time comparison and random bytes; only
        // HeraldCore's Crypto/ folder imports it.
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Intel's ISA-L for CRC-32C (the spool's record checksum) in hardware; no pkg-config file,
        // the headers are in /usr/include/isa-l. Only HeraldSpool imports it.
        .systemLibrary(
            name: "CISAL",
            providers: [.apt(["libisal-dev"])]
        ),
        .target(name: "HeraldCore", dependencies: ["CCrypto"]),
        // A job's life, once for both stores: its states, the attempt decision, the limits, the
        // JobStore protocol, the delivery executor and the operators' commands.
        .target(name: "HeraldJobs", dependencies: ["HeraldCore"]),
        .target(name: "HeraldPostgres", dependencies: ["HeraldCore", "HeraldJobs", "HeraldConfig", "CPostgres"]),
        .target(name: "HeraldConfig", dependencies: ["HeraldCore", "CYAML"]),
        .target(name: "HeraldHTTP", dependencies: ["HeraldCore"]),
        // The outbound HTTP client the action plugins share, and the libcurl driver (one thread,
        // one multi handle) that runs it and the smtp plugin's sessions.
        .target(name: "HeraldHTTPClient", dependencies: ["HeraldCore", "CCurl"]),
        .target(name: "HeraldSpool", dependencies: ["HeraldCore", "HeraldJobs", "CISAL"]),
        .target(
            name: "HeraldDaemon",
            dependencies: [
                "HeraldCore", "HeraldConfig", "HeraldHTTP", "HeraldHTTPClient", "HeraldJobs", "HeraldSpool",
                "HeraldPostgres", "HeraldConsole",
            ]
        ),
        // The operators' web console (docs/console.md): server-rendered pages over the job store,
        // the running configuration and `herald explain`'s decision.
        .target(
            name: "HeraldConsole",
            dependencies: ["HeraldCore", "HeraldConfig", "HeraldHTTP", "HeraldJobs", "HeraldCommands"]
        ),
        // What the commands other than `serve` need: check, explain, test, doctor, kratos-config,
        // and the queue|dead client.
        .target(
            name: "HeraldCommands",
            dependencies: ["HeraldCore", "HeraldConfig", "HeraldJobs", "HeraldSpool"]
        ),
        // Benchmarks; CCurl for the bare libcurl multi loop that delivery is compared with.
        .executableTarget(
            name: "herald-bench",
            dependencies: [
                "HeraldCore", "HeraldConfig", "HeraldHTTP", "HeraldHTTPClient", "HeraldJobs", "HeraldSpool", "CCurl",
            ]
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldDaemon", "HeraldCommands", "HeraldJobs", "HeraldPostgres", "MandrillPlugin", "OutboxPlugin",
                "KratosPlugin", "MailchimpPlugin",
                "WebhookPlugin", "ExecPlugin", "SmtpPlugin",
            ]
        ),

        // Action plugins: compiled in, each depending on the core module (and the shared HTTP
        // client when it speaks HTTP), registered in Sources/herald/BuiltinPlugins.swift.
        .target(name: "MandrillPlugin", dependencies: ["HeraldCore", "HeraldHTTPClient"], path: "Plugins/Mandrill"),
        .target(name: "OutboxPlugin", dependencies: ["HeraldCore"], path: "Plugins/Outbox"),
        .target(name: "KratosPlugin", dependencies: ["HeraldCore", "HeraldHTTPClient"], path: "Plugins/Kratos"),
        .target(name: "MailchimpPlugin", dependencies: ["HeraldCore", "HeraldHTTPClient"], path: "Plugins/Mailchimp"),
        .target(name: "WebhookPlugin", dependencies: ["HeraldCore", "HeraldHTTPClient"], path: "Plugins/Webhook"),
        .target(name: "ExecPlugin", dependencies: ["HeraldCore"], path: "Plugins/Exec"),
        .target(name: "SmtpPlugin", dependencies: ["HeraldCore", "HeraldHTTPClient", "CCurl"], path: "Plugins/Smtp"),

        // Fakes and helpers shared by the test targets.
        .target(
            name: "HeraldTestSupport",
            dependencies: ["HeraldCore", "HeraldHTTP", "HeraldJobs"]
        ),
        // The Mandrill-compatible test server as a program (scripts/mandrill-sandbox).
        .executableTarget(name: "mandrill-sandbox", dependencies: ["HeraldTestSupport"]),

        .testTarget(name: "HeraldCoreTests", dependencies: ["HeraldCore", "HeraldConfig", "HeraldTestSupport"]),
        .testTarget(name: "HeraldConfigTests", dependencies: ["HeraldConfig", "HeraldTestSupport"]),
        .testTarget(name: "HeraldHTTPTests", dependencies: ["HeraldHTTP", "HeraldTestSupport"]),
        .testTarget(name: "HeraldHTTPClientTests", dependencies: ["HeraldHTTPClient", "HeraldTestSupport"]),
        .testTarget(name: "HeraldJobsTests", dependencies: ["HeraldJobs", "HeraldTestSupport"]),
        // One behaviour suite for every job store (the spool, PostgreSQL, the in-memory one).
        .testTarget(
            name: "JobStoreTests",
            dependencies: ["HeraldJobs", "HeraldSpool", "HeraldPostgres", "HeraldConfig", "HeraldTestSupport"]),
        .testTarget(name: "HeraldSpoolTests", dependencies: ["HeraldSpool", "HeraldJobs", "HeraldTestSupport"]),
        .testTarget(
            name: "HeraldPostgresTests",
            dependencies: ["HeraldPostgres", "HeraldJobs", "HeraldConfig", "HeraldTestSupport"]),
        .testTarget(name: "HeraldDaemonTests", dependencies: ["HeraldDaemon", "HeraldJobs", "HeraldTestSupport"]),
        .testTarget(name: "HeraldCommandsTests", dependencies: ["HeraldCommands", "HeraldTestSupport"]),
        .testTarget(
            name: "HeraldConsoleTests",
            dependencies: ["HeraldConsole", "HeraldConfig", "HeraldJobs", "HeraldTestSupport"]),
        .testTarget(
            name: "PluginTests",
            dependencies: [
                "MandrillPlugin", "OutboxPlugin", "KratosPlugin", "MailchimpPlugin", "WebhookPlugin", "ExecPlugin",
                "SmtpPlugin", "HeraldConfig", "HeraldHTTPClient", "HeraldTestSupport",
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            // HeraldConfig: the documentation tests read the embedded default and the known keys.
            dependencies: ["herald", "HeraldConfig", "HeraldTestSupport"]
        ),
    ]
)

// Fuzz targets (docs/fuzzing.md, scripts/fuzz): only with HERALD_FUZZ set, built with
// `-sanitize=fuzzer,address -parse-as-library` into .build-fuzz. Never part of an ordinary build:
// each defines its own `<module>_main` for libFuzzer.
if Context.environment["HERALD_FUZZ"] != nil {
    let fuzzFiles = ["corpus", "dict"]
    package.targets += [
        .target(name: "HeraldFuzzSupport", path: "Fuzz/Support"),
        .executableTarget(
            name: "fuzz-http", dependencies: ["HeraldFuzzSupport", "HeraldHTTP"], path: "Fuzz/http",
            exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-json", dependencies: ["HeraldFuzzSupport", "HeraldCore"], path: "Fuzz/json",
            exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-config",
            dependencies: ["HeraldFuzzSupport", "HeraldConfig", "MandrillPlugin", "OutboxPlugin", "HeraldTestSupport"],
            path: "Fuzz/config", exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-templates", dependencies: ["HeraldFuzzSupport", "HeraldCore", "HeraldConfig"],
            path: "Fuzz/templates", exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-mandrill", dependencies: ["HeraldFuzzSupport", "MandrillPlugin"], path: "Fuzz/mandrill",
            exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-mandrill-events", dependencies: ["HeraldFuzzSupport", "HeraldDaemon"],
            path: "Fuzz/mandrill-events", exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-mail", dependencies: ["HeraldFuzzSupport", "HeraldCore", "HeraldTestSupport"],
            path: "Fuzz/mail", exclude: fuzzFiles),
        .executableTarget(
            name: "fuzz-spool", dependencies: ["HeraldFuzzSupport", "HeraldSpool"], path: "Fuzz/spool",
            exclude: fuzzFiles),
    ]
}
