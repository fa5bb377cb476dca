import CityModel
import Foundation
import HTTPTypes
import Storage

/// Limits per network address at the web chat's door: how many chat connections one address holds open, and how
/// many new conversations it starts a minute. A library's or a school's residents share one address, so the
/// defaults are generous; a script opening thousands of sockets or minting conversations in a loop is not.
/// (Each conversation's own pace is `ChatLimiter`'s.)
public actor ChatGate {
    public let connectionsPerAddress: Int
    public let sessionsPerMinute: Double
    private var open: [String: Int] = [:]
    private var starts: [String: TokenBucket] = [:]

    public init(connectionsPerAddress: Int = 50, sessionsPerMinute: Double = 20) {
        self.connectionsPerAddress = connectionsPerAddress
        self.sessionsPerMinute = sessionsPerMinute
    }

    /// Counts a connection from `address` in; false (and not counted) when it already holds as many as allowed.
    public func enter(_ address: String) -> Bool {
        let count = open[address, default: 0]
        guard count < connectionsPerAddress else { return false }
        open[address] = count + 1
        return true
    }

    /// Counts a connection from `address` out.
    public func leave(_ address: String) {
        let count = open[address, default: 1] - 1
        open[address] = count > 0 ? count : nil
    }

    /// Takes one new conversation for `address` at `now` (a burst of a minute's worth, then the rate); the seconds
    /// to wait when there have been too many, else 0.
    public func startSession(_ address: String, now: Date) -> TimeInterval {
        let (bucket, wait) = TokenBucket.take(1, from: starts[address], rate: sessionsPerMinute / 60, burst: sessionsPerMinute, now: now)
        starts[address] = bucket
        if starts.count > 100_000 { starts = starts.filter { now.timeIntervalSince($0.value.updatedAt) < 60 } }
        return wait
    }

    /// `X-Forwarded-For`, as the city's proxies set it.
    public static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// The address a request comes from: the peer's, or — when the peer is one of the city's own reverse proxies —
    /// the last address in `X-Forwarded-For` that is not one of them (what a client writes there itself is not
    /// believed, as only the proxies append to the end of it).
    public static func clientAddress(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last(where: { !trustedProxies.contains($0) }) ?? peer
    }
}
