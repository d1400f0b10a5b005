import HeraldCore
import Testing

/// `PathText` splits paths as `NSString`'s `deletingLastPathComponent`/`lastPathComponent` did.
@Suite struct PathTextTests {
    @Test(arguments: [
        ("etc/tests/a.yaml", "etc/tests", "a.yaml"),
        ("/etc/herald/herald.yaml", "/etc/herald", "herald.yaml"),
        ("/herald.yaml", "/", "herald.yaml"),
        ("a.yaml", "", "a.yaml"),
        ("/var/lib/herald/outbox/", "/var/lib/herald", "outbox"),
        ("dir//file", "dir", "file"),
        ("/", "/", "/"),
        ("", "", ""),
    ])
    func splitsLikeNSString(path: String, directory: String, last: String) {
        #expect(PathText.directory(of: path) == directory)
        #expect(PathText.lastComponent(of: path) == last)
    }

    @Test func zeroPaddingKeepsTheSignFirst() {
        #expect(7.zeroPadded(2) == "07")
        #expect(123.zeroPadded(2) == "123")
        #expect((-7).zeroPadded(3) == "-007")
        #expect(Int32(0).zeroPadded(2) == "00")
    }
}
