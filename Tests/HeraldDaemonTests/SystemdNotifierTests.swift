import HeraldTestSupport
import Testing

@testable import HeraldDaemon

@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func sendsEachStateAsOneDatagram(abstract: Bool) throws {
        let listener = try NotifySocketListener(abstract: abstract)
        #expect(listener.path.hasPrefix(abstract ? "@" : "/"))
        let notifier = try SystemdNotifier(path: listener.path)

        #expect(notifier.ready(status: "listening on 127.0.0.1:4470"))
        #expect(listener.receive(timeout: .seconds(5)) == "READY=1\nSTATUS=listening on 127.0.0.1:4470")

        let before = SystemdNotifier.monotonicMicroseconds()
        notifier.reloading()
        let reloading = try #require(listener.receive(timeout: .seconds(5)))
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        let stamp = try #require(NotifySocketListener.value("MONOTONIC_USEC", in: reloading).flatMap { UInt64($0) })
        #expect(stamp >= before && stamp <= SystemdNotifier.monotonicMicroseconds())

        notifier.status("two\nlines")
        #expect(listener.receive(timeout: .seconds(5)) == "STATUS=two lines")
        notifier.watchdog()
        #expect(listener.receive(timeout: .seconds(5)) == "WATCHDOG=1")
        notifier.stopping()
        #expect(listener.receive(timeout: .seconds(5)) == "STOPPING=1")
    }

    @Test func refusesUnusablePaths() {
        #expect(throws: SystemdError.invalidEnvironment(name: "NOTIFY_SOCKET", value: "relative/path")) {
            try SystemdNotifier(path: "relative/path")
        }
        #expect(throws: SystemdError.self) { try SystemdNotifier(path: "/" + String(repeating: "x", count: 200)) }
    }

    @Test func reportsAGoneSocket() throws {
        let notifier = try SystemdNotifier(path: "@herald-nobody-listens-\(UInt32.random(in: 0...UInt32.max))")
        #expect(!notifier.ready())
    }
}
