import ExecPlugin
import HeraldCore
import KratosPlugin
import MailchimpPlugin
import MandrillPlugin
import OutboxPlugin
import SmtpPlugin
import WebhookPlugin

/// The action plugins compiled into this build: the one place where plugins are registered.
let builtinPlugins = PluginRegistry([
    MandrillPlugin.self,
    OutboxPlugin.self,
    KratosPlugin.self,
    MailchimpPlugin.self,
    WebhookPlugin.self,
    ExecPlugin.self,
    SmtpPlugin.self,
])
