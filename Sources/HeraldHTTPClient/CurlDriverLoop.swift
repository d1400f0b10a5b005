internal import CCurl
import FoundationEssentials

/// The driver's thread: starts and cancels what callers submitted, lets libcurl move every
/// transfer along, finishes the ones that ended, and sleeps in `curl_multi_poll` until there is
/// something to do. Everything here belongs to that one thread.
final class CurlDriverLoop: @unchecked Sendable {
    /// How long the thread sleeps when libcurl has no timer set (nothing in flight): any command
    /// wakes it sooner.
    static let idleWaitMilliseconds: Int32 = 60_000

    private let driver: CurlDriver
    private let multi: UnsafeMutableRawPointer
    /// The transfers under way, by their easy handle; holding them here keeps them alive for the
    /// callbacks, which reach them through unretained pointers.
    private var running: [UnsafeMutableRawPointer: any CurlTransfer] = [:]
    private var handles: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]
    /// Easy handles of ended transfers, reset (`curl_easy_reset`) and kept for the next ones:
    /// making a handle allocates its buffers anew each time.
    private var spare: [UnsafeMutableRawPointer] = []
    static let maximumSpareHandles = 64

    /// Made by `CurlDriver` for the one thread that runs it.
    init(driver: CurlDriver, multi: UnsafeMutableRawPointer) {
        self.driver = driver
        self.multi = multi
    }

    func run() {
        var commands: [CurlDriver.Command] = []
        while true {
            driver.take(into: &commands)
            for command in commands {
                switch command {
                case .start(let transfer): start(transfer)
                case .cancel(let transfer): cancel(transfer)
                }
            }
            commands.removeAll(keepingCapacity: true)
            var stillRunning: Int32 = 0
            _ = curl_multi_perform(multi, &stillRunning)
            collectEnded()
            sleep()
        }
    }

    private func start(_ transfer: any CurlTransfer) {
        if transfer.cancellation.isRequested {
            end(transfer, handle: nil, code: Int(CURLE_ABORTED_BY_CALLBACK.rawValue), cancelled: true)
            return
        }
        guard let handle = spare.popLast() ?? curl_easy_init() else {
            end(transfer, handle: nil, code: Int(CURLE_FAILED_INIT.rawValue), cancelled: false)
            return
        }
        var code = transfer.configure(handle)
        if code == 0 {
            let added = curl_multi_add_handle(multi, handle)
            if added == CURLM_OK {
                running[handle] = transfer
                handles[ObjectIdentifier(transfer)] = handle
                return
            }
            code = Int(added == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY.rawValue : CURLE_FAILED_INIT.rawValue)
        }
        end(transfer, handle: handle, code: code, cancelled: false)
    }

    private func cancel(_ transfer: any CurlTransfer) {
        // Not running: it ended already, or has not been started (start sees the request).
        guard let handle = handles[ObjectIdentifier(transfer)] else { return }
        remove(handle)
        end(transfer, handle: handle, code: Int(CURLE_ABORTED_BY_CALLBACK.rawValue), cancelled: true)
    }

    /// Finishes every transfer libcurl reports done.
    private func collectEnded() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            // The message is libcurl's until the handle is removed: read it first.
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = Int(message.pointee.data.result.rawValue)
            guard let transfer = running[handle] else { continue }
            remove(handle)
            end(transfer, handle: handle, code: code, cancelled: false)
        }
    }

    private func remove(_ handle: UnsafeMutableRawPointer) {
        _ = curl_multi_remove_handle(multi, handle)
        if let transfer = running.removeValue(forKey: handle) {
            handles.removeValue(forKey: ObjectIdentifier(transfer))
        }
    }

    private func end(_ transfer: any CurlTransfer, handle: UnsafeMutableRawPointer?, code: Int, cancelled: Bool) {
        driver.release()
        transfer.finish(CurlEnding(handle: handle, code: code, cancelled: cancelled))
        guard let handle else { return }
        if spare.count < Self.maximumSpareHandles {
            // Every option back to its default: nothing of this transfer (its URL, headers,
            // credentials, callbacks) reaches the next one.
            curl_easy_reset(handle)
            spare.append(handle)
        } else {
            curl_easy_cleanup(handle)
        }
    }

    /// Sleeps until a socket is ready, libcurl's next timer is due, or a caller wakes the thread;
    /// not at all when libcurl wants to be called again at once or a command waits.
    private func sleep() {
        var timeout = -1
        _ = curl_multi_timeout(multi, &timeout)
        guard timeout != 0, driver.prepareToSleep() else { return }
        let wait =
            timeout < 0 ? Self.idleWaitMilliseconds : Int32(clamping: min(timeout, Int(Self.idleWaitMilliseconds)))
        _ = curl_multi_poll(multi, nil, 0, wait, nil)
    }
}
