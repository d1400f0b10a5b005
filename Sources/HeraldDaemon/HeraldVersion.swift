/// Herald's version, printed by `herald version` and logged at start.
public enum HeraldVersion {
    public static let current = "0.1.0"
}
