import CCurl
import Foundation

/// `herald-bench curl URL [in-flight] [seconds] [body.json]`: the ceiling of a bare libcurl multi
/// loop (one thread, `curl_multi_poll`, N easy handles each re-added as soon as its POST
/// completes, connections kept alive, the answer discarded), the reference for Herald's delivery
/// rate next to bare URLSession (design §10).
func runCurlBenchmark() throws {
    let arguments = try ReferenceArguments(benchmark: "curl")
    let (url, inFlight, seconds, body) =
        (arguments.url.absoluteString, arguments.inFlight, arguments.seconds, arguments.body)
    guard curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK, let multi = curl_multi_init() else {
        FileHandle.standardError.write(Data("herald-bench curl: cannot initialise libcurl\n".utf8))
        exit(1)
    }
    _ = herald_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, inFlight)
    var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/json")
    headers = curl_slist_append(headers, "Expect:")
    defer { curl_slist_free_all(headers) }
    var handles: [UnsafeMutableRawPointer] = []
    for _ in 0..<inFlight {
        guard let handle = curl_easy_init() else { exit(1) }
        _ = herald_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = herald_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = herald_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
        _ = herald_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        _ = body.withUnsafeBytes {
            herald_curl_setopt_pointer(
                handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
        }
        _ = herald_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, discardBody)
        handles.append(handle)
        _ = curl_multi_add_handle(multi, handle)
    }
    var completed = 0
    var failed = 0
    let started = ContinuousClock.now
    let deadline = started + .seconds(seconds)
    var active = inFlight
    while active > 0 {
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var status = 0
            _ = herald_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            if code == CURLE_OK && status == 200 { completed += 1 } else { failed += 1 }
            _ = curl_multi_remove_handle(multi, handle)
            if ContinuousClock.now < deadline {
                _ = curl_multi_add_handle(multi, handle)
            } else {
                active -= 1
            }
        }
        _ = curl_multi_poll(multi, nil, 0, 100, nil)
    }
    let elapsed = (ContinuousClock.now - started).seconds
    print(
        String(
            format: "libcurl multi, %d in flight, %.0f s: %.0f requests/s (%d ok, %d failed)", inFlight, elapsed,
            Double(completed) / elapsed, completed, failed))
    for handle in handles { curl_easy_cleanup(handle) }
    curl_multi_cleanup(multi)
}

private let discardBody: curl_write_callback = { _, size, count, _ in size * count }
