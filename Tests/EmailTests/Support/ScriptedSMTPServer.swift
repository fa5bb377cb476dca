import Foundation
import NIOCore
import NIOPosix

/// A tiny SMTP-speaking server on loopback for failures a real server will not produce on demand (no greeting at
/// all, replies injected before TLS, `421` at connect). It sends `greeting` on connect and answers each command line
/// with what `respond` returns (CRLFs included, so one answer can hold several replies); nil answers nothing.
struct ScriptedSMTPServer: Sendable {
    let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(greeting: String?, respond: @escaping @Sendable (String) -> String? = { _ in nil })
        async throws -> ScriptedSMTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ScriptedLineHandler(greeting: greeting, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedSMTPServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

private final class ScriptedLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let greeting: String?
    let respond: @Sendable (String) -> String?
    private var pending: [UInt8] = []

    init(greeting: String?, respond: @escaping @Sendable (String) -> String?) {
        self.greeting = greeting
        self.respond = respond
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting { write(greeting, context) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
                .trimmingCharacters(in: ["\r"])
            pending.removeSubrange(...newline)
            if let answer = respond(line) { write(answer, context) }
        }
    }

    private func write(_ text: String, _ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }
}
