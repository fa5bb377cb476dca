import AsyncHTTPClient
import CityModel
import Foundation
import NIOCore
import Storage
import Transport

/// Sends SMS through Twilio's REST API (or any Twilio-compatible API at `apiBase`):
/// `POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Messages.json` with basic auth and form fields `To`, `Body`,
/// `From` (or `MessagingServiceSid` for an `MG…` sender) and `StatusCallback`.
///
/// Errors: Twilio 21610 (the recipient replied STOP to the carrier) → opted out; 429 and 5xx → retry (honouring
/// `Retry-After`); other 4xx → permanent. Error messages never include the phone number or the body.
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

    public init(credentials: Credentials, client: HTTPClient) {
        self.credentials = credentials
        self.client = client
    }

    public var description: String { "twilio \(credentials.apiBase) (account …\(credentials.accountSID.suffix(4)))" }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        var form = [("To", entry.message.to.address), ("Body", entry.message.body)]
        form.append(credentials.from.hasPrefix("MG") ? ("MessagingServiceSid", credentials.from) : ("From", credentials.from))
        if let callback = credentials.statusCallback { form.append(("StatusCallback", callback)) }
        let base = credentials.apiBase.hasSuffix("/") ? String(credentials.apiBase.dropLast()) : credentials.apiBase
        var request = HTTPClientRequest(url: "\(base)/2010-04-01/Accounts/\(credentials.accountSID)/Messages.json")
        request.method = .POST
        let basic = Data("\(credentials.accountSID):\(credentials.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: FormBody.encode(form)))

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
