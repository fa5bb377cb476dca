import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches a photo a resident sent through a chat app, by the app's reference to it, so it can be kept with the
/// report (the apps' own links expire and need the bot's credentials).
public protocol ChatAppMedia: Sendable {
    /// The photo's bytes, at most `limit`; throws when it cannot be fetched or is larger.
    func fetch(_ reference: String, limit: Int) async throws -> [UInt8]
}

/// Why a photo could not be fetched.
public struct ChatAppMediaError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// WhatsApp's media: `GET {base}/{version}/{media-id}` gives a short-lived `url`, fetched with the same bearer
/// token.
public struct WhatsAppMedia: ChatAppMedia {
    let credentials: WhatsAppTransport.Credentials
    let client: HTTPClient

    public init(credentials: WhatsAppTransport.Credentials, client: HTTPClient) {
        self.credentials = credentials
        self.client = client
    }

    public func fetch(_ reference: String, limit: Int) async throws -> [UInt8] {
        guard !reference.isEmpty, reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) else {
            throw ChatAppMediaError("not a media id")
        }
        let authorization = "Bearer \(credentials.accessToken)"
        let meta = try await ChatAppHTTP.get("\(credentials.apiBase)/\(credentials.version)/\(reference)", authorization: authorization,
                                             limit: 64 * 1024, client: client)
        struct Media: Decodable { var url: String }
        guard let url = (try? JSONDecoder().decode(Media.self, from: Data(meta)))?.url else { throw ChatAppMediaError("no url for the media") }
        return try await ChatAppHTTP.get(url, authorization: authorization, limit: limit, client: client)
    }
}

/// Telegram's files: `getFile?file_id=` gives a `file_path`, fetched from `{base}/file/bot{token}/{file_path}`.
public struct TelegramFiles: ChatAppMedia {
    let credentials: TelegramTransport.Credentials
    let client: HTTPClient

    public init(credentials: TelegramTransport.Credentials, client: HTTPClient) {
        self.credentials = credentials
        self.client = client
    }

    public func fetch(_ reference: String, limit: Int) async throws -> [UInt8] {
        guard let id = reference.addingPercentEncoding(withAllowedCharacters: .alphanumerics) else { throw ChatAppMediaError("not a file id") }
        let base = "\(credentials.apiBase)/bot\(credentials.botToken)"
        let meta = try await ChatAppHTTP.get("\(base)/getFile?file_id=\(id)", authorization: nil, limit: 64 * 1024, client: client)
        struct Answer: Decodable {
            struct File: Decodable { var file_path: String? }
            var result: File?
        }
        guard let path = (try? JSONDecoder().decode(Answer.self, from: Data(meta)))?.result?.file_path, !path.contains("..") else {
            throw ChatAppMediaError("no file_path for the file")
        }
        return try await ChatAppHTTP.get("\(credentials.apiBase)/file/bot\(credentials.botToken)/\(path)", authorization: nil, limit: limit,
                                         client: client)
    }
}

enum ChatAppHTTP {
    static func get(_ url: String, authorization: String?, limit: Int, client: HTTPClient) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await client.execute(request, timeout: .seconds(20))
        guard response.status.code == 200 else { throw ChatAppMediaError("HTTP \(response.status.code)") }
        return Array(try await response.body.collect(upTo: limit).readableBytesView)
    }
}
