import NIOCore

/// Splits the server's bytes into SMTP replies (joining `250-` continuation lines) and hands them out one at a time
/// to `nextReply(timeout:)`, failing the wait when the timeout passes, the connection closes or an error arrives.
///
/// Lives on the channel's event loop; the client reaches it through `NIOLoopBound`.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    enum Failure: Error, Equatable {
        case timeout
        case closed
        /// The server sent something that is not an SMTP reply.
        case malformedReply
    }

    /// No sane reply line is longer (RFC 5321 §4.5.3.1.5 allows 512 octets).
    private static let maxLineLength = 4_096

    private var eventLoop: (any EventLoop)?
    private var pending: [UInt8] = []
    private var partialLines: [String] = []
    private var partialCode: Int?
    private var ready: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var timer: Scheduled<Void>?
    private var failure: (any Error)?

    /// True when the server has sent anything not yet handed out: before a STARTTLS upgrade this means an attacker
    /// may have injected plain-text replies (RFC 3207 §4.2), so the client aborts.
    var hasUnreadInput: Bool { !pending.isEmpty || !ready.isEmpty || !partialLines.isEmpty }

    /// The first error the connection hit (a TLS handshake failure, a reset), if any: a failed write says only
    /// "closed", this says why.
    var recordedFailure: (any Error)? { failure }

    func handlerAdded(context: ChannelHandlerContext) {
        eventLoop = context.eventLoop
    }

    /// The next reply, or a failure after `timeout`. One wait at a time.
    func nextReply(timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        guard let eventLoop else { preconditionFailure("SMTPReplyHandler used before it was added to a pipeline") }
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        precondition(waiter == nil, "only one SMTP reply can be awaited at a time")
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.fail(Failure.timeout) }
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readableBytesView)
        while let newline = pending.firstIndex(of: 0x0A) {
            var line = pending[..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            pending.removeSubrange(...newline)
            guard receive(line: text) else {
                fail(Failure.malformedReply)
                context.close(promise: nil)
                return
            }
        }
        if pending.count > Self.maxLineLength {
            fail(Failure.malformedReply)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(Failure.closed)
        context.fireChannelInactive()
    }

    /// Adds one line (`250-SIZE 1000`, `250 OK`, `354`) to the reply being read; false when it is not a reply line.
    private func receive(line: String) -> Bool {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: bytes[0...2], as: UTF8.self)), (200...599).contains(code) else { return false }
        if let partialCode, partialCode != code { return false }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return false }
        partialLines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if separator == UInt8(ascii: "-") {
            partialCode = code
        } else {
            deliver(SMTPReply(code: code, lines: partialLines))
            partialLines = []
            partialCode = nil
        }
        return true
    }

    private func deliver(_ reply: SMTPReply) {
        if let waiter {
            self.waiter = nil
            timer?.cancel()
            timer = nil
            waiter.succeed(reply)
        } else {
            ready.append(reply)
        }
    }

    private func fail(_ error: any Error) {
        if failure == nil { failure = error }
        timer?.cancel()
        timer = nil
        if let waiter {
            self.waiter = nil
            waiter.fail(error)
        }
    }
}
