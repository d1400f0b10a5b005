internal import CCurl

/// Sets an easy handle's options in order and keeps the first code libcurl refused (later ones
/// are skipped): `configure` then reads one result instead of checking each call.
struct CurlOptions {
    private let handle: UnsafeMutableRawPointer
    /// `CURLE_OK`, or the first option's refusal.
    private(set) var failure = CURLE_OK

    init(_ handle: UnsafeMutableRawPointer) {
        self.handle = handle
    }

    mutating func set(_ option: CURLoption, _ value: Int) {
        if failure == CURLE_OK { failure = herald_curl_setopt_long(handle, option, value) }
    }

    /// libcurl copies strings (except CURLOPT_POSTFIELDS, which Herald does not use).
    mutating func set(_ option: CURLoption, _ value: String) {
        if failure == CURLE_OK { failure = herald_curl_setopt_string(handle, option, value) }
    }

    mutating func set(_ option: CURLoption, size: Int) {
        if failure == CURLE_OK { failure = herald_curl_setopt_off_t(handle, option, curl_off_t(size)) }
    }

    mutating func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        if failure == CURLE_OK { failure = herald_curl_setopt_pointer(handle, option, pointer) }
    }

    mutating func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) {
        if failure == CURLE_OK { failure = herald_curl_setopt_slist(handle, option, list) }
    }

    mutating func set(_ option: CURLoption, callback: curl_write_callback) {
        if failure == CURLE_OK { failure = herald_curl_setopt_write(handle, option, callback) }
    }
}
