import CityModel
import Messaging
import Storage
import Testing
import Transport

/// A transport double that fails by default: it accepts only the sends the test said to expect, in any order,
/// and records an issue (failing the test) for any other — and, from `verify()`, for an expected send that never
/// came. (After isowords' `DatabaseClient` mocks: a test states every call it allows.)
///
/// ```swift
/// let sink = ExpectingTransport(expecting: [.send(body: "Update on report #1000002")])
/// … // dispatch
/// await sink.verify()
/// ```
public actor ExpectingTransport: Transport {
    /// One send the test allows: to whom (any recipient when nil), which body (any when nil), and what the
    /// provider answers.
    public struct Expected: Sendable, CustomStringConvertible {
        public var to: ChannelAddress?
        public var body: String?
        /// The provider's id for the message, or the error the send throws.
        public var outcome: Result<String?, TransportError>

        /// A send that succeeds with `providerID`.
        public static func send(to: ChannelAddress? = nil, body: String? = nil, providerID: String? = "expected") -> Expected {
            Expected(to: to, body: body, outcome: .success(providerID))
        }

        /// A send that fails with `error` (a retry, a permanent failure, an opt-out at the carrier).
        public static func failure(to: ChannelAddress? = nil, body: String? = nil, _ error: TransportError) -> Expected {
            Expected(to: to, body: body, outcome: .failure(error))
        }

        func matches(_ message: RenderedMessage) -> Bool {
            (to == nil || to == message.to) && (body == nil || body == message.body)
        }

        public var description: String {
            "a send" + (to.map { " to \($0.channel.rawValue):\($0.address)" } ?? "") + (body.map { " of \"\($0)\"" } ?? "")
        }
    }

    public nonisolated var description: String { "expecting transport" }
    private var expected: [Expected]
    private let sourceLocation: SourceLocation
    /// Every message sent as expected, in order.
    public private(set) var sent: [RenderedMessage] = []
    /// Every message that arrived unexpected (each also recorded as an issue).
    public private(set) var unexpected: [RenderedMessage] = []

    public init(expecting expected: [Expected] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        self.expected = expected
        self.sourceLocation = sourceLocation
    }

    /// Allows one more send.
    public func expect(_ send: Expected) { expected.append(send) }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        guard let index = expected.firstIndex(where: { $0.matches(entry.message) }) else {
            unexpected.append(entry.message)
            Issue.record("unexpected send to \(entry.message.to.channel.rawValue):\(entry.message.to.address): \"\(entry.message.body)\"",
                         sourceLocation: sourceLocation)
            throw TransportError(.permanent, "unexpected send (the test did not expect it)")
        }
        let match = expected.remove(at: index)
        switch match.outcome {
        case .success(let providerID):
            sent.append(entry.message)
            return providerID
        case .failure(let error):
            throw error
        }
    }

    /// Records an issue for each expected send that did not happen.
    public func verify(sourceLocation: SourceLocation = #_sourceLocation) {
        for missing in expected { Issue.record("expected \(missing), which never came", sourceLocation: sourceLocation) }
    }
}
