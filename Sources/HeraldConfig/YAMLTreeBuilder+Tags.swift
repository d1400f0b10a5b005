internal import CYAML
import HeraldCore

extension YAMLTreeBuilder {
    private static let corePrefix = "tag:yaml.org,2002:"

    /// How a tag is shown to the operator: `!!str` rather than `tag:yaml.org,2002:str`.
    private static func display(_ tag: String) -> String {
        tag.hasPrefix(corePrefix) ? "!!" + tag.dropFirst(corePrefix.count) : tag
    }

    private static let unsupportedTagHint = "only !!str, !!int, !!bool, !!float, !!null, !!map and !!seq are allowed"

    static func style(_ style: yaml_scalar_style_t) -> ConfigNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// The style under which core-schema resolution gives the type an explicit tag asks for.
    ///
    /// `!!str` makes a plain scalar read as text (it is given a quoted style); `!!int`, `!!bool`,
    /// `!!float` and `!!null` make it plain and must match what the text resolves to.
    mutating func scalarStyle(
        text: String, written: ConfigNode.ScalarStyle, tag: String?, at location: SourceLocation
    ) -> ConfigNode.ScalarStyle {
        guard let tag else { return written }
        guard tag.hasPrefix(Self.corePrefix) else {
            reportUnsupported(tag, at: location)
            return written
        }
        let plain = ConfigNode(.scalar(.init(text: text)), at: location)
        let matches: Bool
        switch tag.dropFirst(Self.corePrefix.count) {
        case "str":
            return written == .plain ? .doubleQuoted : written
        case "int":
            if case .int? = plain.resolved { matches = true } else { matches = false }
        case "bool":
            if case .bool? = plain.resolved { matches = true } else { matches = false }
        case "float":
            switch plain.resolved {
            case .float?, .int?: matches = true
            default: matches = false
            }
        case "null":
            matches = plain.isNull
        case "map", "seq":
            report("tag \(Self.display(tag)) cannot be used on a single value", at: location)
            return written
        default:
            reportUnsupported(tag, at: location)
            return written
        }
        if !matches {
            report("'\(text)' does not fit its tag \(Self.display(tag))", at: location)
        }
        return .plain
    }

    mutating func checkCollectionTag(_ tag: String?, isMapping: Bool, at location: SourceLocation) {
        guard let tag else { return }
        let expected = Self.corePrefix + (isMapping ? "map" : "seq")
        guard tag != expected else { return }
        if tag.hasPrefix(Self.corePrefix),
            ["str", "int", "bool", "float", "null", "map", "seq"].contains(tag.dropFirst(Self.corePrefix.count))
        {
            report("tag \(Self.display(tag)) cannot be used on \(isMapping ? "a map" : "a list")", at: location)
        } else {
            reportUnsupported(tag, at: location)
        }
    }

    private mutating func reportUnsupported(_ tag: String, at location: SourceLocation) {
        report("unsupported tag '\(Self.display(tag))'; \(Self.unsupportedTagHint)", at: location)
    }
}
