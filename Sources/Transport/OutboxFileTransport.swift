import CityModel
import Foundation
import Storage

/// The transport used when no credentials are configured: one JSON object per line in `outbox.jsonl`, so a
/// message is never silently dropped and a person can read what would have been sent.
///
/// ```json
/// {"body":"Thank you! …","channel":"sms","created_at":"2026-11-23T16:02:00Z","id":"12","kind":"reply",
///  "locale":"en","subject":null,"ticket_id":"1000002","to":"+12175550100"}
/// ```
/// Each line is written once: ids already in the file are skipped (a dispatcher that crashed after writing and
/// before marking the entry sent will try it again).
public actor OutboxFileTransport: Transport {
    public nonisolated let path: String
    private var written: Set<Int64>
    private let handle: FileHandle
    /// Lines appended, and lines known to be on disk: one fsync covers every line written before it.
    private var appended = 0
    private var synced = 0
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TransportError(.permanent, "cannot create \(path)")
            }
        }
        written = Self.ids(in: path)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    public nonisolated var description: String { "outbox file \(path)" }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        guard !written.contains(entry.id) else { return nil }
        var data = try encoder.encode(Line(entry))
        data.append(0x0A)
        do {
            try handle.write(contentsOf: data)
            appended += 1
            let mine = appended
            // Let the other sends waiting on this actor append their lines first, so one fsync makes them all
            // durable (group commit); the call returns only once its own line is on disk.
            await Task.yield()
            if synced < mine {
                let covering = appended
                try handle.synchronize()
                synced = max(synced, covering)
            }
        } catch {
            throw TransportError(.retry, "cannot write \(path): \(error)")
        }
        written.insert(entry.id)
        return nil
    }

    /// One line of the file (keys sorted, so lines read alike); a missing subject or ticket is `null`.
    struct Line: Encodable {
        let entry: OutboxEntry
        init(_ entry: OutboxEntry) { self.entry = entry }

        enum Key: String, CodingKey { case id, channel, to, subject, body, locale, kind, ticket_id, created_at }

        func encode(to encoder: any Encoder) throws {
            let message = entry.message
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(String(entry.id), forKey: .id)
            try out.encode(message.to.channel.rawValue, forKey: .channel)
            try out.encode(message.to.address, forKey: .to)
            try out.encode(message.subject, forKey: .subject)
            try out.encode(message.body, forKey: .body)
            try out.encode(message.locale.code, forKey: .locale)
            try out.encode(message.kind.rawValue, forKey: .kind)
            try out.encode(message.ticket?.digits, forKey: .ticket_id)
            try out.encode(entry.createdAt.formatted(.iso8601), forKey: .created_at)
        }
    }

    /// Ids of the lines already in the file.
    static func ids(in path: String) -> Set<Int64> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var ids = Set<Int64>()
        for line in text.split(separator: "\n") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let id = (object["id"] as? String).flatMap(Int64.init) {
                ids.insert(id)
            }
        }
        return ids
    }
}
