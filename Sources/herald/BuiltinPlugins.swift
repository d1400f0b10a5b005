import HeraldCore
import KratosPlugin
import MailchimpPlugin
import MandrillPlugin
import OutboxPlugin

/// The action plugins compiled into this build: the one place where plugins are registered.
let builtinPlugins = PluginRegistry([
    MandrillPlugin.self,
    OutboxPlugin.self,
    KratosPlugin.self,
    MailchimpPlugin.self,
])
