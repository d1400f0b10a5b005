import FoundationEssentials
import Glibc
import HeraldCore

/// The outbox keeps every message it wrote (`JOB_ID.eml` and `JOB_ID.json`) until someone removes
/// them: `herald forget|export` and `retention.outbox` reach them here. Only pairs named after a
/// job id are considered; anything else in the directory is left alone.
extension OutboxAction: PersonalDataKeeper {
    var keptKind: String { "outbox files" }

    func export(_ subject: DataSubject) throws(KeptDataError) -> [JSON] {
        var items: [JSON] = []
        for base in try messages() {
            let sidecar = try read(base + ".json")
            let eml = try read(base + ".eml")
            guard subject.matches(text: sidecar) || subject.matches(text: eml) else { continue }
            var item: JSONObject = ["action": .string(name), "path": .string(base + ".eml")]
            item["sidecar"] = (try? JSON(parsing: sidecar)) ?? .string(String(decoding: sidecar, as: UTF8.self))
            item["eml"] = .string(String(decoding: eml, as: UTF8.self))
            items.append(.object(item))
        }
        return items
    }

    func forget(_ subject: DataSubject) throws(KeptDataError) -> Int {
        var removed = 0
        for base in try messages() {
            let sidecar = try read(base + ".json")
            let eml = try read(base + ".eml")
            guard subject.matches(text: sidecar) || subject.matches(text: eml) else { continue }
            try remove(base)
            removed += 1
        }
        if removed > 0 { try synchronizeDirectory() }
        return removed
    }

    func expire(before cutoff: WallClock) throws(KeptDataError) -> Int {
        var removed = 0
        for base in try messages() {
            var status = stat()
            let path = base + ".eml"
            guard stat(path, &status) == 0 || stat(base + ".json", &status) == 0 else { continue }
            let written = Int64(status.st_mtim.tv_sec) * 1000 + Int64(status.st_mtim.tv_nsec) / 1_000_000
            guard written < cutoff.millisecondsSinceEpoch else { continue }
            try remove(base)
            removed += 1
        }
        if removed > 0 { try synchronizeDirectory() }
        return removed
    }

    /// The paths (without extension) of the messages in the directory; none when it does not exist.
    private func messages() throws(KeptDataError) -> [String] {
        guard let stream = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw KeptDataError("list", path: directory, code: errno)
        }
        defer { closedir(stream) }
        var bases = Set<String>()
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            for suffix in [".eml", ".json"] where name.hasSuffix(suffix) {
                let id = String(name.dropLast(suffix.count))
                if TimeOrderedID(id) != nil { bases.insert(directory + "/" + id) }
            }
        }
        return bases.sorted()
    }

    /// A file's bytes; empty when it does not exist (a pair half written or half removed).
    private func read(_ path: String) throws(KeptDataError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return [] }
            throw KeptDataError("open", path: path, code: errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw KeptDataError("read", path: path, code: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[..<count])
        }
    }

    private func remove(_ base: String) throws(KeptDataError) {
        for path in [base + ".eml", base + ".json"] where unlink(path) != 0 && errno != ENOENT {
            throw KeptDataError("unlink", path: path, code: errno)
        }
    }

    /// Makes the removals durable.
    private func synchronizeDirectory() throws(KeptDataError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw KeptDataError("open", path: directory, code: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw KeptDataError("fsync", path: directory, code: errno) }
    }
}
