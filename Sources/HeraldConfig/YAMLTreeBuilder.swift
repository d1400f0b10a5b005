internal import CYAML
import HeraldCore

/// Builds a `ConfigNode` tree from libyaml's event stream, enforcing the loader's rules.
///
/// The event API (not libyaml's document API) is used so that aliases are never expanded and
/// every limit is checked before memory is spent on the node.
struct YAMLTreeBuilder {
    let file: String
    let maxDepth: Int
    let maxNodes: Int
    let diagnostics: ConfigDiagnostics

    /// Beyond this many errors in one file the rest is noise; the load stops.
    private static let maxErrors = 100

    private var stack: [Frame] = []
    private var root: ConfigNode?
    private var nodeCount = 0
    private var documentCount = 0
    private var errorCount = 0

    init(file: String, maxDepth: Int, maxNodes: Int, diagnostics: ConfigDiagnostics) {
        self.file = file
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.diagnostics = diagnostics
    }

    /// A mapping or sequence being read.
    private struct Frame {
        enum Kind { case sequence, mapping }
        enum MappingState {
            case awaitingKey
            case awaitingValue(key: ConfigNode)
            /// The key was rejected (and reported); its value is read and dropped.
            case skippingValue
        }

        let kind: Kind
        let location: SourceLocation
        var items: [ConfigNode] = []
        var pairs: [ConfigNode.Pair] = []
        var state: MappingState = .awaitingKey
        /// Key text → line of its first occurrence.
        var keyLines: [String: Int] = [:]

        var node: ConfigNode {
            ConfigNode(kind == .sequence ? .sequence(items) : .mapping(pairs), at: location)
        }
    }

    private enum Step {
        case proceed
        case finished(ConfigNode)
        case abort
    }

    private static let aliasMessage = "anchors and aliases are not supported; repeat the value instead"

    mutating func build(from bytes: [UInt8]) -> ConfigNode? {
        // libyaml needs a non-null input pointer; an empty file is an empty (null) document.
        guard !bytes.isEmpty else { return nullDocument }

        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            diagnostics.error("out of memory while starting the YAML parser", at: startOfFile)
            return nil
        }
        defer { yaml_parser_delete(parser) }
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }

        return bytes.withUnsafeBufferPointer { buffer -> ConfigNode? in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            while true {
                guard yaml_parser_parse(parser, event) == 1 else {
                    reportParserError(parser.pointee, bytes: bytes)
                    return nil
                }
                let step = handle(event.pointee)
                yaml_event_delete(event)
                if errorCount > Self.maxErrors {
                    diagnostics.error("too many errors; stopped reading this file", at: startOfFile)
                    return nil
                }
                switch step {
                case .proceed: continue
                case .finished(let node): return node
                case .abort: return nil
                }
            }
        }
    }

    private mutating func handle(_ event: yaml_event_t) -> Step {
        let location = self.location(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                report("only one YAML document per file", at: location)
                return .finished(root ?? nullDocument)
            }
        case YAML_STREAM_END_EVENT:
            return .finished(root ?? nullDocument)
        case YAML_ALIAS_EVENT:
            guard countNode(at: location) else { return .abort }
            errorCount += 1
            diagnostics.errorForStandIn(Self.aliasMessage, at: location)
            // A stand-in keeps keys and values paired; a key that was an alias drops its pair.
            attach(ConfigNode(.scalar(.init(text: "")), at: location), rejected: true)
        case YAML_SCALAR_EVENT:
            guard countNode(at: location) else { return .abort }
            let scalar = event.data.scalar
            checkAnchor(scalar.anchor, at: location)
            let text = String(
                decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style = scalarStyle(
                text: text, written: Self.style(scalar.style), tag: string(scalar.tag), at: location)
            attach(ConfigNode(.scalar(.init(text: text, style: style)), at: location), rejected: false)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard countNode(at: location) else { return .abort }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            checkAnchor(anchor, at: location)
            checkCollectionTag(string(tag), isMapping: isMapping, at: location)
            guard stack.count < maxDepth else {
                report("nesting is deeper than \(maxDepth) levels", at: location)
                return .abort
            }
            stack.append(Frame(kind: isMapping ? .mapping : .sequence, location: location))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            if let frame = stack.popLast() {
                attach(frame.node, rejected: false)
            }
        default:
            break
        }
        return .proceed
    }

    /// Adds a finished node to the collection being read, or makes it the root.
    private mutating func attach(_ node: ConfigNode, rejected: Bool) {
        guard var top = stack.popLast() else {
            root = node
            return
        }
        switch top.kind {
        case .sequence:
            top.items.append(node)
        case .mapping:
            switch top.state {
            case .awaitingKey:
                top.state = rejected ? .skippingValue : checkKey(node, in: &top)
            case .awaitingValue(let key):
                top.pairs.append(.init(key: key, value: node))
                top.state = .awaitingKey
            case .skippingValue:
                top.state = .awaitingKey
            }
        }
        stack.append(top)
    }

    private mutating func checkKey(_ key: ConfigNode, in frame: inout Frame) -> Frame.MappingState {
        guard let scalar = key.scalar else {
            report("a key must be a single value, not \(key.kindDescription)", at: key.location)
            return .skippingValue
        }
        if scalar.style == .plain, scalar.text == "<<" {
            report("merge keys ('<<') are not supported; repeat the value instead", at: key.location)
            return .skippingValue
        }
        if let line = frame.keyLines[scalar.text] {
            report("duplicate key '\(scalar.text)' (first defined at line \(line))", at: key.location)
            return .skippingValue
        }
        frame.keyLines[scalar.text] = key.location.line
        return .awaitingValue(key: key)
    }

    private mutating func countNode(at location: SourceLocation) -> Bool {
        nodeCount += 1
        guard nodeCount <= maxNodes else {
            report("the document has more than \(maxNodes) values", at: location)
            return false
        }
        return true
    }

    private mutating func checkAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>?, at location: SourceLocation) {
        if anchor != nil {
            report(Self.aliasMessage, at: location)
        }
    }

    mutating func report(_ message: String, at location: SourceLocation) {
        errorCount += 1
        diagnostics.error(message, at: location)
    }

    private var startOfFile: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }

    private var nullDocument: ConfigNode { ConfigNode(.scalar(.init(text: "")), at: startOfFile) }

    /// libyaml marks are 0-based and count characters, as `SourceLocation` does.
    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
