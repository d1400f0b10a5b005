import HeraldConfig
import HeraldJobs

extension DeliverySnapshot {
    /// What the executor takes from a loaded configuration.
    init(_ configuration: HeraldConfiguration) {
        let delivery = configuration.delivery
        self.init(
            actions: configuration.actions,
            limits: DeliveryLimits(
                global: delivery.concurrency, perAction: configuration.actionConcurrency,
                attemptTimeout: delivery.attemptTimeout),
            retry: RetryPolicy(schedule: delivery.retrySchedule, jitter: delivery.jitter, maxAge: delivery.maxAge))
    }
}
