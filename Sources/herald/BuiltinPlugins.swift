import HeraldCore
import MailchimpPlugin
import MandrillPlugin
import OutboxPlugin

/// The action plugins compiled into this build: the one place where plugins are registered.
let builtinPlugins = PluginRegistry([
    MandrillPlugin.self,
    OutboxPlugin.self,
    MailchimpPlugin.self,
])
