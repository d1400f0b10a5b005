import Foundation
import HeraldTestSupport
import Testing

/// What the `herald` binary links. Foundation proper brings ICU's 34 MB of data into the binary
/// and the image (issue 20), FoundationNetworking a second HTTP client (issue 17): Herald's
/// modules import FoundationEssentials only, and one `import Foundation` in them would undo it
/// without any other test noticing.
@Suite struct BinaryLinkageTests {
    static let haveLdd = SystemTools.path("ldd") != nil

    @Test(.enabled(if: haveLdd, "ldd is not installed (Debian's libc-bin)"))
    func heraldLinksNeitherFoundationNorICU() async throws {
        let ldd = try #require(SystemTools.path("ldd"))
        let result = try await SystemTools.run(ldd, [HeraldProcess.executableURL.path])
        #expect(result.status == 0, "\(result.output)")
        // The tests' build links the Swift libraries dynamically, so each shows by name here.
        try #require(result.output.contains("libswiftCore"), "not a dynamically linked build:\n\(result.output)")
        #expect(result.output.contains("libFoundationEssentials"))
        for library in [
            "libFoundation.so", "libFoundationNetworking", "libFoundationInternationalization", "lib_FoundationICU",
        ] {
            // An incremental build keeps an unchanged file's object, with the modules its module
            // imported when it was compiled: after a branch that still imported Foundation, touch
            // the files that `strings -a X.o | grep -x -- -lFoundation` names, or build afresh.
            #expect(!result.output.contains(library), "herald links \(library):\n\(result.output)")
        }
    }
}
