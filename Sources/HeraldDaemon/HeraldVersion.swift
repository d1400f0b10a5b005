/// Herald's version, printed by `herald version` and logged at start.
package enum HeraldVersion {
    package static let current = "0.1.0"
}
