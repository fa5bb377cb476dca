import CityModel
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Photos residents send through the web chat. `POST /chat/photos` takes one image as the raw body
/// (`Content-Type: image/jpeg`, `image/png`, `image/webp`, `image/gif` or `image/heic`, the bytes must be what the
/// type says, at most `maxBytes`) with the chat session's token in `X-Chat-Session`, keeps it under
/// `<data-dir>/photos/` named by its SHA-256 (the same photo twice is kept once), and answers
/// `201 {"photo": "<name>"}`. The resident's next `message` frame names it (`"photo": "<name>"`) and it travels
/// with their report into the ticket, where staff fetch it through `GET /api/v1/tickets/{id}/photos/{name}` (their
/// department's tickets only). Nothing is kept for a refused upload.
public struct ChatPhotos: Sendable {
    /// How a stored photo is named in a ticket's media (`MediaRef.url`); the staff API turns it into its link.
    public static let scheme = "cityline-photo:"

    public let directory: String
    public let maxBytes: Int
    let store: any ConversationStore
    let limiter: ChatLimiter
    let clock: @Sendable () -> Date

    public init(directory: String, maxBytes: Int, store: any ConversationStore, limiter: ChatLimiter,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.store = store
        self.limiter = limiter
        self.clock = clock
    }

    /// The image formats taken, by media type: the file name's extension and the bytes the file starts with.
    static let formats: [String: (ext: String, matches: @Sendable ([UInt8]) -> Bool)] = [
        "image/jpeg": ("jpg", { $0.starts(with: [0xFF, 0xD8, 0xFF]) }),
        "image/png": ("png", { $0.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) }),
        "image/gif": ("gif", { $0.starts(with: Array("GIF87a".utf8)) || $0.starts(with: Array("GIF89a".utf8)) }),
        "image/webp": ("webp", { $0.count >= 12 && $0.starts(with: Array("RIFF".utf8)) && Array($0[8..<12]) == Array("WEBP".utf8) }),
        "image/heic": ("heic", { bytes in
            guard bytes.count >= 12, Array(bytes[4..<8]) == Array("ftyp".utf8) else { return false }
            return ["heic", "heix", "mif1", "msf1", "hevc"].contains(String(decoding: bytes[8..<12], as: UTF8.self))
        }),
    ]

    static let contentTypes: [String: String] = ["jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
                                                  "heic": "image/heic"]

    func register(on router: Router<WebContext>) {
        router.post("/chat/photos") { request, _ in try await self.upload(request) }
    }

    func upload(_ request: Request) async throws -> Response {
        guard let token = request.headers[ChatPhotos.sessionHeader], let address = ChatSession.address(for: token),
              try await store.session(for: address) != nil else {
            return JSONResponse.error(.unauthorized, "unknown_session", "send the chat session's token in X-Chat-Session")
        }
        let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard let format = Self.formats[type] else {
            return JSONResponse.error(.unsupportedMediaType, "unsupported_type", "send a photo as JPEG, PNG, WebP, GIF or HEIC")
        }
        guard let bytes = try await request.body(upTo: maxBytes) else {
            return JSONResponse.error(.contentTooLarge, "too_large", "photos are at most \(maxBytes / (1 << 20)) MB")
        }
        guard format.matches(bytes) else {
            return JSONResponse.error(.unsupportedMediaType, "not_an_image", "the file is not a \(type) image")
        }
        let wait = await limiter.take(address, now: clock())
        guard wait <= 0 else {
            return JSONResponse.error(.tooManyRequests, "too_fast", "too many messages at once; send the photo again in \(Int(wait.rounded(.up))) s")
        }
        let name = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() + "." + format.ext
        try keep(bytes, as: name)
        return JSONResponse.make(["photo": name], status: .created)
    }

    /// Keeps a photo fetched from a chat app (WhatsApp, Telegram) like an uploaded one, its type read from its
    /// bytes; nil when they are not a photo of a format taken.
    func keep(fetched bytes: [UInt8]) throws -> MediaRef? {
        guard let (type, format) = Self.formats.first(where: { $0.value.matches(bytes) }) else { return nil }
        let name = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() + "." + format.ext
        try keep(bytes, as: name)
        return MediaRef(url: Self.scheme + name, contentType: type)
    }

    /// Writes the photo once: to a temporary file, then renamed into place, so a crash leaves no half photo.
    private func keep(_ bytes: [UInt8], as name: String) throws {
        let files = FileManager.default
        let path = directory + "/" + name
        guard !files.fileExists(atPath: path) else { return }
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = directory + "/." + UUID().uuidString + ".part"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        do {
            try files.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? files.removeItem(atPath: temporary)
            guard files.fileExists(atPath: path) else { throw error } // another upload of the same photo won
        }
    }

    /// The media reference for a photo name a message frame gives, when it names a kept photo.
    func media(named name: String) -> MediaRef? {
        guard let ext = Self.validName(name), FileManager.default.fileExists(atPath: directory + "/" + name) else { return nil }
        return MediaRef(url: Self.scheme + name, contentType: Self.contentTypes[ext])
    }

    /// The extension of a well-formed photo name (64 hex digits, a dot, a known extension); nil otherwise.
    static func validName(_ name: String) -> String? {
        let parts = name.split(separator: ".")
        guard parts.count == 2, parts[0].utf8.count == 64, parts[0].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              contentTypes[String(parts[1])] != nil else { return nil }
        return String(parts[1])
    }

    /// The photo's bytes and media type, when `name` is a kept photo.
    func read(_ name: String) -> (Data, String)? {
        guard let ext = Self.validName(name), let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
        return (data, Self.contentTypes[ext] ?? "application/octet-stream")
    }

    public static let sessionHeader = HTTPField.Name("X-Chat-Session")!
}
