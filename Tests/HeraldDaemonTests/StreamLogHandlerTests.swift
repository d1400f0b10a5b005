import Foundation
import HeraldCore
import Testing

@testable import HeraldDaemon

@Suite struct StreamLogHandlerTests {
    /// Logs one line through a handler writing into a pipe and returns what it wrote.
    private func line(
        format: StreamLogHandler.Format = .logfmt, showPersonalData: Bool = false, _ message: String,
        _ fields: [(String, LogValue)]
    ) throws -> String {
        let pipe = Pipe()
        let handler = StreamLogHandler(
            format: format, showPersonalData: showPersonalData, descriptor: pipe.fileHandleForWriting.fileDescriptor)
        handler.log(level: .info, message: message, fields: fields)
        handler.flush()
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func personalDataIsMaskedUnlessShown() throws {
        let masked = try line("sent", [("to", .personal("jane.doe@example.com"))])
        #expect(masked.contains(" to=j***@example.com\n"))
        #expect(!masked.contains("jane.doe"))
        let shown = try line(showPersonalData: true, "sent", [("to", .personal("jane.doe@example.com"))])
        #expect(shown.contains(" to=jane.doe@example.com\n"))
    }

    @Test func logfmtQuotesWhatNeedsIt() throws {
        let text = try line("event accepted", [("reason", "a \"b\"=c\nd"), ("jobs", 2), ("empty", "")])
        #expect(text.hasPrefix("time="))
        #expect(text.contains(#" level=info msg="event accepted" reason="a \"b\"=c\nd" jobs=2 empty=""#))
    }

    /// C1 controls (CSI is U+009B) can drive a terminal like ESC sequences; they are escaped, and
    /// other characters encoded with the same lead byte (the pound sign) are kept.
    @Test func logfmtEscapesC1Controls() throws {
        let text = try line("x", [("reason", "a\u{9B}31mred\u{85}£")])
        #expect(text.contains(#"reason="a\u009b31mred\u0085£""#))
    }

    @Test func jsonLinesAreObjects() throws {
        let text = try line(format: .json, "sent", [("to", .personal("jane.doe@example.com")), ("jobs", 2)])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "sent")
        #expect(object["to"] as? String == "j***@example.com")
        #expect(object["jobs"] as? Int == 2)
    }
}
