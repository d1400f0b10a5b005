import HeraldCore
import Synchronization

/// A `SpanSink` that keeps every span it is given, for tests of what the ingress and the
/// executor record.
package final class RecordingSpanSink: SpanSink {
    private let recorded = Mutex<[FinishedSpan]>([])

    package init() {}

    package func record(_ span: FinishedSpan) {
        recorded.withLock { $0.append(span) }
    }

    /// The spans so far, in the order they came.
    package var spans: [FinishedSpan] { recorded.withLock { $0 } }
}

extension FinishedSpan {
    /// The value of attribute `key`, nil when the span has none.
    package func attribute(_ key: String) -> SpanAttribute? {
        attributes.first { $0.0 == key }?.1
    }
}
