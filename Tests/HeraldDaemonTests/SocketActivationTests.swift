import Glibc
import HeraldHTTP
import Testing

@testable import HeraldDaemon

@Suite struct SocketActivationTests {
    @Test func parsesCountAndNames() throws {
        let sockets = try SocketActivation.parse(
            ["LISTEN_PID": "77", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "http:admin"], pid: 77)
        #expect(
            sockets == [
                .init(fd: 3, name: "http"), .init(fd: 4, name: "admin"), .init(fd: 5, name: "unknown"),
            ])
        #expect(sockets[1].address == HTTPListenAddress.fileDescriptor(4))
    }

    @Test func ignoresVariablesMeantForAnotherProcess() throws {
        #expect(try SocketActivation.parse(["LISTEN_PID": "78", "LISTEN_FDS": "1"], pid: 77).isEmpty)
        #expect(try SocketActivation.parse(["LISTEN_FDS": "1"], pid: 77).isEmpty)
        #expect(try SocketActivation.parse([:], pid: 77).isEmpty)
    }

    @Test func rejectsGarbage() {
        #expect(throws: SystemdError.invalidEnvironment(name: "LISTEN_FDS", value: "two")) {
            try SocketActivation.parse(["LISTEN_PID": "77", "LISTEN_FDS": "two"], pid: 77)
        }
        #expect(throws: SystemdError.self) {
            try SocketActivation.parse(["LISTEN_PID": "x", "LISTEN_FDS": "1"], pid: 77)
        }
        #expect(throws: SystemdError.self) {
            try SocketActivation.parse(["LISTEN_PID": "77", "LISTEN_FDS": "-1"], pid: 77)
        }
    }

    @Test func acceptsAListeningStreamSocketAndMarksItCloseOnExec() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(bound == 0)
        #expect(throws: SystemdError.notAListeningSocket(fd: fd)) { try SocketActivation.prepare(fd) }
        #expect(listen(fd, 8) == 0)
        try SocketActivation.prepare(fd)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func rejectsDatagramSockets() {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        #expect(throws: SystemdError.notAListeningSocket(fd: fd)) { try SocketActivation.prepare(fd) }
    }

    @Test func exposedAddressesAreThoseOtherMachinesReach() {
        let exposed = SystemdService.exposed([
            .tcp(host: "127.0.0.1", port: 1), .tcp(host: "::1", port: 1), .unix(path: "/run/h.sock"),
            .tcp(host: "0.0.0.0", port: 1), .tcp(host: "10.0.0.5", port: 1),
        ])
        #expect(exposed == [.tcp(host: "0.0.0.0", port: 1), .tcp(host: "10.0.0.5", port: 1)])
    }
}
