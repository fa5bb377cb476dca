import AsyncHTTPClient
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import NIOCore
import Storage
import StorageSQLite
import Testing
import WebAPI

/// Photos through the web chat: uploaded with the session's token, named in a message, kept with the ticket, and
/// shown to staff of the ticket's department only. Refused uploads keep nothing.
@Suite struct ChatPhotoTests {
    /// The smallest well-formed PNG (1×1, grey).
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x4C, 0x17, 0xD7, 0xDF, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    static func upload(_ port: Int, session: String?, type: String, _ bytes: [UInt8]) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/chat/photos")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: type)
        if let session { request.headers.add(name: "X-Chat-Session", value: session) }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:])
    }

    static func get(_ port: Int, _ path: String, token: String) async throws -> (Int, String?, Int) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)" + path)
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "Content-Type"), body.readableBytes)
    }

    @Test func aPhotoTravelsFromTheChatIntoTheTicketForItsDepartmentOnly() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store))
        configuration.chat.photoMaxBytes = 1024
        let photos = configuration.storage.dataDirectory + "/photos"
        _ = try await store.createToken(hash: StaffTokenHash.hash("code-secret"), role: .staff, department: "code", label: nil, at: Date())
        _ = try await store.createToken(hash: StaffTokenHash.hash("streets-secret"), role: .staff, department: "streets", label: nil, at: Date())
        try await withRunningApplication(configuration) { port in
            let session = Locked("")
            try await ChatProtocolTests.connect(port) { c in
                try await c.send(["type": "start", "session": nil, "locale": "en"])
                let started = try await c.next()
                session.withLock { $0 = started["session"] as? String ?? "" }
                try await c.outbound.close(.normalClosure, reason: nil)
            }
            let token = session.withLock { $0 }
            #expect(token.count == 43)

            // Refused, and nothing kept: no session, an unknown one, a type that is not a photo, bytes that are not
            // what the type says, a photo over the limit.
            #expect(try await Self.upload(port, session: nil, type: "image/png", Self.png).0 == 401)
            #expect(try await Self.upload(port, session: String(repeating: "A", count: 43), type: "image/png", Self.png).0 == 401)
            #expect(try await Self.upload(port, session: token, type: "application/pdf", Self.png).1["error"] != nil)
            let lie = try await Self.upload(port, session: token, type: "image/jpeg", Self.png)
            #expect(lie.0 == 415 && (lie.1["error"] as? [String: Any])?["code"] as? String == "not_an_image")
            #expect(try await Self.upload(port, session: token, type: "image/png", Self.png + [UInt8](repeating: 0, count: 1024)).0 == 413)
            #expect(!FileManager.default.fileExists(atPath: photos))

            // Taken: named by its content; the same photo again is the same name.
            let (status, answer) = try await Self.upload(port, session: token, type: "image/png", Self.png)
            let name = try #require(answer["photo"] as? String)
            #expect(status == 201 && name.hasSuffix(".png") && name.count == 68)
            #expect(try await Self.upload(port, session: token, type: "image/png", Self.png).1["photo"] as? String == name)
            #expect(try FileManager.default.contentsOfDirectory(atPath: photos) == [name])

            // A message naming it, with a caption, then the graffiti questions; an unknown photo name is refused.
            try await ChatProtocolTests.connect(port) { c in
                try await c.send(["type": "start", "session": token])
                _ = try await c.next()
                try await c.send(["type": "message", "id": "p0", "text": "", "photo": String(repeating: "0", count: 64) + ".png"])
                let unknown = try await c.next()
                #expect(unknown["code"] as? String == "unknown_photo" && unknown["id"] as? String == "p0")
                try await c.send(["type": "message", "id": "p1", "text": "graffiti on this wall at 220 Walnut St", "photo": name])
                #expect(try await c.next()["type"] as? String == "ack")
                #expect((try await c.next()["text"] as? String)?.hasPrefix("Graffiti: got it.") == true)
                for (index, answer) in ["2", "yes"].enumerated() {
                    try await c.send(["type": "message", "id": "p\(index + 2)", "text": answer])
                    _ = try await c.next()
                    _ = try await c.next()
                }
                try await c.send(["type": "message", "id": "p4", "text": "yes"])
                #expect(try await c.next()["type"] as? String == "ack")
                #expect((try await c.next()["text"] as? String)?.contains("Tracking number") == true)
                try await c.outbound.close(.normalClosure, reason: nil)
            }
            let ticket = try #require(try await store.tickets(TicketFilter()).first)
            #expect(ticket.department == "code" && ticket.draft.media == [MediaRef(url: ChatPhotos.scheme + name, contentType: "image/png")])

            // Staff of the ticket's department see it through the ticket; others do not.
            let path = "/api/v1/tickets/\(ticket.trackingNumber.digits)/photos/\(name)"
            let (code, type, size) = try await Self.get(port, path, token: "code-secret")
            #expect(code == 200 && type == "image/png" && size == Self.png.count)
            #expect(try await Self.get(port, path, token: "streets-secret").0 == 403)
            #expect(try await Self.get(port, "/api/v1/tickets/\(ticket.trackingNumber.digits)/photos/../../secret.key", token: "code-secret").0 == 404)
        }
    }
}

/// Limits per network address at the chat's door, and a resident's tabs kept together.
@Suite struct ChatGateTests {
    @Test func connectionsAndNewConversationsPerAddress() async {
        let gate = ChatGate(connectionsPerAddress: 2, sessionsPerMinute: 2)
        #expect(await gate.enter("10.0.0.1"))
        #expect(await gate.enter("10.0.0.1"))
        #expect(await !gate.enter("10.0.0.1"))
        #expect(await gate.enter("10.0.0.2"), "another network is not held up")
        await gate.leave("10.0.0.1")
        #expect(await gate.enter("10.0.0.1"))
        // Two new conversations at once, then one every 30 s.
        #expect(await gate.startSession("10.0.0.1", now: t0) == 0)
        #expect(await gate.startSession("10.0.0.1", now: t0) == 0)
        #expect(await gate.startSession("10.0.0.1", now: t0) == 30)
        #expect(await gate.startSession("10.0.0.1", now: t0.addingTimeInterval(30)) == 0)
    }

    @Test func onlyTheCitysProxiesNameTheClient() {
        let proxies: Set<String> = ["10.0.0.9"]
        #expect(ChatGate.clientAddress(peer: "203.0.113.7", forwardedFor: "198.51.100.1", trustedProxies: proxies) == "203.0.113.7")
        #expect(ChatGate.clientAddress(peer: "10.0.0.9", forwardedFor: "198.51.100.1, 203.0.113.7", trustedProxies: proxies) == "203.0.113.7")
        #expect(ChatGate.clientAddress(peer: "10.0.0.9", forwardedFor: nil, trustedProxies: proxies) == "10.0.0.9")
    }

    @Test func theDoorSaysSoAndTabsOfOneResidentSeeTheSameConversation() async throws {
        var configuration = try AppConfiguration.testing(store: .memory(MemoryStore()))
        configuration.chat.connectionsPerAddress = 2
        configuration.chat.sessionsPerMinute = 1
        try await withRunningApplication(configuration) { port in
            // Tab one starts the conversation; tab two resumes it with the same token.
            try await ChatProtocolTests.connect(port) { one in
                try await one.send(["type": "start", "session": nil, "locale": "en"])
                let token = try await one.next()["session"] as? String ?? ""
                try await ChatProtocolTests.connect(port) { two in
                    try await two.send(["type": "start", "session": token])
                    #expect(try await two.next()["type"] as? String == "started")
                    // A third connection from this address is one too many.
                    try await ChatProtocolTests.connect(port) { three in
                        let refused = try await three.next()
                        #expect(refused["code"] as? String == "too_many_connections")
                    }
                    // What the resident writes in tab one shows in tab two, with the bot's answer, in both.
                    try await one.send(["type": "message", "id": "t1", "text": "the street light is out at Elm and 5th"])
                    #expect(try await one.next()["type"] as? String == "ack")
                    let answer = try await one.next()
                    let mirrored = try await two.next()
                    #expect(mirrored["from"] as? String == "resident" && mirrored["text"] as? String == "the street light is out at Elm and 5th")
                    let second = try await two.next()
                    #expect(second["from"] as? String == "bot" && second["text"] as? String == answer["text"] as? String)
                    // A second new conversation from the same address within the minute is refused, clearly.
                    try await two.send(["type": "start", "session": nil])
                    let busy = try await two.next()
                    #expect(busy["code"] as? String == "too_many_sessions" && (busy["message"] as? String)?.contains("try again in") == true)
                    try await two.outbound.close(.normalClosure, reason: nil)
                }
                try await one.outbound.close(.normalClosure, reason: nil)
            }
        }
    }
}
