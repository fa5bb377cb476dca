import ChannelEmail
import CityLineTestSupport
import CityModel
import Foundation
import Logging
import NIOPosix
import Storage
import StorageSQLite
import Testing

/// The SMTP listener against Python's `smtplib`, a real client: relayed mail becomes the sender's turn, and the
/// answer codes tell the MTA what to do with it.
@Suite struct SMTPListenerTests {
    /// Sends with smtplib; prints one line per message: the code smtplib saw, or the exception.
    static let client = #"""
    import smtplib, sys
    port = int(sys.argv[1])
    messages = sys.argv[2:]
    with smtplib.SMTP("127.0.0.1", port, timeout=90) as smtp:
        smtp.ehlo("mta.springfield.example")
        print("size", smtp.esmtp_features.get("size"))
        for raw in messages:
            try:
                refused = smtp.sendmail("maria@example.org", ["311@springfield.example"], raw.replace("\n", "\r\n").encode("utf-8"))
                print("250")
            except smtplib.SMTPDataError as error:
                print(error.smtp_code)
            except smtplib.SMTPSenderRefused as error:
                print(error.smtp_code)
    """#

    func send(port: Int, _ messages: [String]) async -> [String] {
        await python(["-c", Self.client, String(port)] + messages).split(separator: "\n").map(String.init)
    }

    @Test func relayedMailBecomesATurnAndTheCodesTellTheMTAWhatToDo() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let switchboard = try Demo.switchboard(store)
        let intake = EmailIntake(receive: { try await switchboard.receive($0, delivery: .outbox).redelivered }, clock: { t0 })
        let listener = SMTPListener(host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024, group: MultiThreadedEventLoopGroup.singleton,
                                    logger: Logger(label: "test"), deliver: { try await intake.take($0) })
        let (port, serving) = try await listening(listener)
        defer { serving.cancel() }

        let report = "From: Maria <maria@example.org>\nSubject: Broken streetlight\nMessage-ID: <s1@example.org>\n\nat 5th and Oak\n.leading dot line"
        let away = "From: maria@example.org\nAuto-Submitted: auto-replied\nSubject: Away\n\nOut of office"
        let unreadable = "From: maria@example.org\nContent-Type: text/plain; charset=koi8-r\n\nhi"
        let huge = "From: maria@example.org\n\n" + String(repeating: "a", count: 70 * 1024)
        let lines = await send(port: port, [report, report, away, unreadable, huge])
        #expect(lines.first == "size 65536", "\(lines)")
        // stored, a redelivery (stored once), a robot (accepted, never answered), unreadable (bounced), too big.
        #expect(Array(lines.dropFirst()) == ["250", "250", "250", "554", "552"], "\(lines)")

        let inbound = try await store.count("messages")
        #expect(inbound == 2, "the report and its one reply, once")
        let reply = try #require(try await outboxEntries(store).first?.message)
        #expect(reply.to == ChannelAddress(channel: .email, address: "maria@example.org"))
        #expect(reply.body.contains("Street light"), "\(reply.body)")
    }

    /// A message with a line longer than the size limit is read to its end without being kept, then refused with
    /// 552; the session goes on.
    @Test func anEndlessLineIsNotKept() async throws {
        let listener = SMTPListener(host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024, group: MultiThreadedEventLoopGroup.singleton,
                                    logger: Logger(label: "test"), deliver: { _ in .accepted })
        let (port, serving) = try await listening(listener)
        defer { serving.cancel() }
        let script = #"""
        import socket, sys
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=90)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"HELO mta\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        for _ in range(4): f.readline()
        s.sendall(b"From: a@example.org\r\n\r\n" + b"a" * (300 * 1024) + b"\r\n.\r\nQUIT\r\n")
        print(f.readline().decode().strip())
        print(f.readline().decode().strip())
        """#
        let output = await python(["-c", script, String(port)])
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("552 5.3.4") == true, "\(output)")
        #expect(lines.dropFirst().first?.hasPrefix("221") == true, "\(output)")
    }

}

/// Binds `listener` to its free port and serves it until the returned task is cancelled.
func listening(_ listener: SMTPListener) async throws -> (port: Int, serving: Task<Void, any Error>) {
    let server = try await listener.bind()
    let port = try #require(server.channel.localAddress?.port)
    return (port, Task { try await listener.serve(server) })
}

/// Runs `python3` with `arguments` and returns what it printed. The wait happens on a thread of its own
/// (`blocking`), never on a thread Swift concurrency or Dispatch's global queues use: the in-process listener the
/// script talks to needs those to answer it.
func python(_ arguments: [String]) async -> String {
    do {
        return try await runToEnd(["python3"] + arguments).output
    } catch {
        return "could not start python3: \(error)"
    }
}
