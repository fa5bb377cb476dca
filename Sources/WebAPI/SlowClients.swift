import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// How long the HTTP server waits for a client, so that a few slow or silent connections (slowloris: headers a byte
/// at a time; a body that never ends) cannot hold the server's connections while residents' webhooks wait.
///
/// - `head`: a new connection's first request head (request line and headers) must arrive whole within it.
/// - `idle`: a kept-alive connection may wait this long between requests, and a request part may take this long
///   to follow the one before (Hummingbird's idle timeout; the next request's head is held to it as well).
/// - `request`: a request's head and body must arrive whole within it (a photo from a phone on a slow network
///   takes seconds, not minutes). The time to answer is not counted.
///
/// An upgraded WebSocket (the web chat) is held to none of these; it has its own ping.
public struct SlowClientLimits: Sendable, Equatable {
    public var head: Duration
    public var idle: Duration
    public var request: Duration

    public init(head: Duration = .seconds(10), idle: Duration = .seconds(60), request: Duration = .seconds(120)) {
        self.head = head
        self.idle = idle
        self.request = request
    }

    /// The HTTP/1 settings that enforce `idle` and `request`, with header limits (8 KiB a field, 32 KiB and 100
    /// fields in all: far above what carriers, browsers and city systems send).
    public var http1: HTTP1Channel.Configuration {
        let request = TimeAmount(request)
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadlineHandler(timeout: request)], idleTimeout: TimeAmount(idle),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100)
        )
    }
}

/// A server child channel that closes a connection whose first request head has not arrived whole within `head`,
/// then hands the connection to `base` (Hummingbird adds its own idle timer only once a head was read).
public struct HeadDeadlineChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value
    let base: Base
    let head: TimeAmount

    public init(_ base: Base, head: Duration) {
        self.base = base
        self.head = TimeAmount(head)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(HeadDeadlineHandler(timeout: head), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection unless the bytes of a whole request head (up to the blank line) arrive within `timeout`
/// of connecting; removes itself once they have.
final class HeadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// The last bytes seen, to find a blank line split across reads.
    private var tail: [UInt8] = []

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let complete = buffer.withUnsafeReadableBytes { Self.endsHead(tail: &tail, $0) }
        context.fireChannelRead(data)
        if complete {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    /// Whether `bytes` (after `tail`) hold the blank line that ends a request head (CRLF CRLF, or bare LF LF as
    /// lenient parsers accept); keeps the last three bytes in `tail`.
    static func endsHead(tail: inout [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        var window = tail
        for byte in bytes {
            window.append(byte)
            if window.count > 4 { window.removeFirst() }
            if byte == 0x0A {
                let count = window.count
                if count >= 2, window[count - 2] == 0x0A { return true }
                if count >= 4, window[count - 4] == 0x0D, window[count - 3] == 0x0A, window[count - 2] == 0x0D { return true }
            }
        }
        tail = window
        return false
    }
}

/// Closes the connection when a request's body has not arrived whole within `timeout` of its head.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            timer?.cancel()
            let channel = context.channel
            timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        case .end:
            timer?.cancel()
            timer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }
}
