import ArgumentParser
import CityLineApp
import CityModel
import Conversation
import Foundation
import Logging
import Messaging
import Storage
import Switchboard

/// `cityline chat`: talk to the bot in the terminal, exactly as a resident would.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Talk to the bot as a resident would (reads lines from stdin; works piped).",
        discussion: """
        Each line is one message. Attach a photo with a line starting '/photo URL' (the rest of the line is the \
        text). Type /quit or send end-of-file to leave.
        """
    )

    @OptionGroup var city: CityOptions

    @Option(help: "Channel to simulate: sms, email or chat.")
    var channel: String = "sms"

    @Option(help: "The resident's address (phone number or email).")
    var from: String = "+12175550100"

    @Option(help: "Language to start in (e.g. en).")
    var lang: String?

    @Option(help: "Log level of messages on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        var flags = AppConfiguration.Flags()
        city.apply(to: &flags)
        storage.apply(to: &flags)
        flags.logLevel = logLevel
        let configuration = try AppConfiguration.commandLine(flags)
        let level = configuration.logLevel
        // The conversation is stdout, line by line as it happens (another program may be reading it through a
        // pipe): each line is written straight to the file descriptor, unbuffered. Logs never mix into it: they
        // go to stderr, from warnings up unless asked.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        guard let channel = Channel(rawValue: channel) else { throw ValidationError("--channel must be sms, email or chat") }
        let loaded = try LoadedCity.load(configuration.city)
        let store = try await configuration.storage.openStore()
        let address = ChannelAddress(channel: channel, address: from)
        let switchboard = Switchboard(engine: loaded.engine, composer: loaded.composer(), store: store, numbers: SequenceTrackingNumbers(store: store))
        let interactive = isatty(STDIN_FILENO) != 0
        if interactive {
            write("\(loaded.city.program.resolve(loaded.city.defaultLocale)) — you are \(from) on \(channel.rawValue). Type /quit to leave.")
            printPrompt()
        }
        // --lang is the resident's first message: "LANGUAGE <code>".
        var pending = lang.map { ["LANGUAGE \($0)"] } ?? []
        while let line = pending.isEmpty ? readLine(strippingNewline: true) : pending.removeFirst() {
            if line == "/quit" { break }
            var text = line
            var media: [MediaRef] = []
            if line.hasPrefix("/photo") {
                let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                media = [MediaRef(url: parts.count > 1 ? parts[1] : "photo://terminal", contentType: "image/jpeg")]
                text = parts.count > 2 ? parts[2] : ""
            }
            let outcome = try await switchboard.receive(InboundMessage(from: address, text: text, media: media, receivedAt: Date()))
            for reply in outcome.replies {
                write(interactive ? "\n\(reply.body)\n" : "\(reply.body)\n")
            }
            if interactive { printPrompt() }
        }
    }

    /// One line of the conversation on stdout, written at once (stdout is not buffered here).
    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func printPrompt() {
        FileHandle.standardOutput.write(Data("> ".utf8))
    }
}
