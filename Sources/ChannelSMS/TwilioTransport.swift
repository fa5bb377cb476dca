import AsyncHTTPClient
import CityModel
import Foundation
import Localization
import NIOCore
import Storage
import Transport

/// Sends SMS through Twilio's REST API (or any Twilio-compatible API at `apiBase`):
/// `POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Messages.json` with basic auth and form fields `To`, `Body`,
/// `From` (or `MessagingServiceSid` for an `MG…` sender) and `StatusCallback`.
///
/// The body goes through `SMSText.normalize` (the renderer has normally done so already) and is sent as is.
///
/// Pacing: with a `SenderPacer`, each send first waits for as many tokens as the body has SMS segments
/// (`SMSText.cost(of:)` of the body exactly as sent), so CityLine never sends faster than the sender's rate. Use one
/// pacer per sender (`TWILIO_FROM`), shared by everything that sends from it; this transport is that one place.
/// A send whose task is cancelled while it waits sends nothing and throws a `.retry` `TransportError`.
///
/// Errors: Twilio 21610 (the recipient replied STOP to the carrier) → opted out; 429 and 5xx → retry (honouring
/// `Retry-After`); other 4xx → permanent. Error messages never include the phone number or the body. Pacing does
/// not change this: a 429 (Twilio's own limit, or a rate set too high) is still a retry after `Retry-After`.
public struct TwilioTransport: Transport {
    public struct Credentials: Sendable {
        public var accountSID: String
        public var authToken: String
        /// A phone number (`+1…`) or a messaging service SID (`MG…`).
        public var from: String
        public var apiBase: String
        /// Where Twilio should post delivery receipts, or nil.
        public var statusCallback: String?

        public init(accountSID: String, authToken: String, from: String, apiBase: String = "https://api.twilio.com",
                    statusCallback: String? = nil) {
            self.accountSID = accountSID
            self.authToken = authToken
            self.from = from
            self.apiBase = apiBase
            self.statusCallback = statusCallback
        }
    }

    let credentials: Credentials
    let client: HTTPClient
    /// Paces this sender's messages in segments per second; nil sends as fast as the dispatcher asks.
    public let pacer: (any SegmentPacer)?

    public init(credentials: Credentials, client: HTTPClient, pacer: (any SegmentPacer)? = nil) {
        self.credentials = credentials
        self.client = client
        self.pacer = pacer
    }

    public var description: String { "twilio \(credentials.apiBase) (account …\(credentials.accountSID.suffix(4)))" }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        let text = SMSText.normalize(entry.message.body)
        var form = [("To", entry.message.to.address), ("Body", text)]
        form.append(credentials.from.hasPrefix("MG") ? ("MessagingServiceSid", credentials.from) : ("From", credentials.from))
        if let callback = credentials.statusCallback { form.append(("StatusCallback", callback)) }
        let base = credentials.apiBase.hasSuffix("/") ? String(credentials.apiBase.dropLast()) : credentials.apiBase
        var request = HTTPClientRequest(url: "\(base)/2010-04-01/Accounts/\(credentials.accountSID)/Messages.json")
        request.method = .POST
        let basic = Data("\(credentials.accountSID):\(credentials.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: FormBody.encode(form)))

        if let pacer {
            do {
                try await pacer.acquire(SMSText.cost(of: text).segments)
            } catch {
                throw TransportError(.retry, "cancelled while waiting for the sender's SMS rate")
            }
        }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(15))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw TransportError(.retry, "Twilio unreachable: \(type(of: error))")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        let status = response.status.code
        if (200..<300).contains(status) {
            return json?["sid"] as? String
        }
        let code = json?["code"] as? Int
        let described = "Twilio HTTP \(status)" + (code.map { " error \($0)" } ?? "")
        if code == 21610 { throw TransportError(.optedOut, described) }
        if status == 429 || status >= 500 {
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            throw TransportError(.retry, described, retryAfter: retryAfter)
        }
        throw TransportError(.permanent, described)
    }
}
