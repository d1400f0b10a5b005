import HeraldCore
import Synchronization

/// A `SpanSink` that keeps every span it is given, for tests of what the ingress and the
/// executor record.
public final class RecordingSpanSink: SpanSink {
    private let recorded = Mutex<[FinishedSpan]>([])

    public init() {}

    public func record(_ span: FinishedSpan) {
        recorded.withLock { $0.append(span) }
    }

    /// The spans so far, in the order they came.
    public var spans: [FinishedSpan] { recorded.withLock { $0 } }
}

extension FinishedSpan {
    /// The value of attribute `key`, nil when the span has none.
    public func attribute(_ key: String) -> SpanAttribute? {
        attributes.first { $0.0 == key }?.1
    }
}
