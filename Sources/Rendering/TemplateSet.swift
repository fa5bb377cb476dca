import CityModel
import Foundation
import Localization
import Messaging
import Mustache

/// The channel templates of `Templates/`: how a message's text is framed on each channel.
///
/// Names are paths without `.mustache`: `sms/message`, `chat/message`, `email/subject`, `email/text`,
/// `email/html` (and its parent `email/layout`). A kind of message can have its own version in a folder named
/// after the kind (`email/survey/html`, `sms/status_update/message`); anything else falls back to the channel's
/// default. `html` and `layout` templates escape HTML; every other template is plain text. Templates are
/// logic-less; the strings they show come from `Locales/` (`{{strings.email.footer.reply}}`), so one template
/// serves every language. Partials and parents are named by their path with dots (`{{<email.layout}}`), since
/// Mustache section names cannot hold a slash.
public struct TemplateSet: Sendable {
    /// One template file as read from disk.
    public struct Source: Sendable {
        /// `email/html`
        public var name: String
        /// The path to show in problems (`Templates/email/html.mustache`).
        public var file: String
        public var text: String

        public init(name: String, file: String, text: String) {
            self.name = name
            self.file = file
            self.text = text
        }
    }

    /// A template that cannot be used, with the file and line to fix (line 0: the whole file).
    public typealias Problem = ConfigError

    /// The parts each channel the product ships templates for must have (from the channels' profiles).
    public static let requiredParts: [Channel: [String]] = Dictionary(uniqueKeysWithValues: [
        ChannelProfile.sms(maxSegments: 1), .chat, .email,
    ].map { ($0.channel, $0.templateParts) })

    let library: MustacheLibrary
    let files: [String: String]
    /// Problems found while parsing; a set with problems must not be used to send (`cityline serve` refuses it).
    public let problems: [Problem]

    /// - Parameter directory: where the sources came from, to name a missing file in problems.
    public init(sources: [Source], directory: String = "Templates") {
        var templates: [String: MustacheTemplate] = [:]
        var files: [String: String] = [:]
        var problems: [Problem] = []
        let kinds = Set(MessageKind.allCases.map(\.rawValue))
        for source in sources.sorted(by: { $0.name < $1.name }) {
            let path = source.name.split(separator: "/").map(String.init)
            guard let channel = path.first.flatMap(Channel.init(rawValue:)), channel != .webhook, path.count <= 3 else {
                problems.append(Problem(file: source.file, line: 0, message: "not a template of a resident channel: "
                    + "templates live in sms/, chat/, email/, whatsapp/ or telegram/, optionally in a folder named after a kind of message"))
                continue
            }
            if let bad = path.first(where: { $0.isEmpty || !$0.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) }) {
                problems.append(Problem(file: source.file, line: 0, message: "'\(bad)': template and folder names are letters, digits, _ and -"))
                continue
            }
            if path.count == 3, !kinds.contains(path[1]) {
                problems.append(Problem(file: source.file, line: 0, message: "'\(path[1])' is not a kind of message (one of "
                    + kinds.sorted().joined(separator: ", ") + ")"))
                continue
            }
            let isHTML = ["html", "layout"].contains(path.last)
            do {
                templates[Self.libraryName(source.name)] = try MustacheTemplate(string: (isHTML ? "" : "{{% CONTENT_TYPE: TEXT}}") + source.text)
                files[source.name] = source.file
            } catch let error as MustacheTemplate.ParserError {
                problems.append(Problem(file: source.file, line: error.context.lineNumber,
                                        message: "\(Self.explain(error.error)): \(error.context.line.trimmingCharacters(in: .whitespaces))"))
            } catch {
                problems.append(Problem(file: source.file, line: 0, message: "does not parse: \(error)"))
            }
        }
        for (channel, parts) in Self.requiredParts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for part in parts where !sources.contains(where: { $0.name == "\(channel.rawValue)/\(part)" }) {
                problems.append(Problem(file: "\(directory)/\(channel.rawValue)/\(part).mustache", line: 0,
                                        message: "missing: every \(channel.rawValue) message needs it"))
            }
        }
        self.library = MustacheLibrary(templates: templates)
        self.files = files
        self.problems = problems
    }

    /// The template for one part of a message of `kind` on `channel`: the kind's own, else the channel's.
    func template(_ channel: Channel, _ part: String, kind: MessageKind) -> (name: String, template: MustacheTemplate)? {
        for name in ["\(channel.rawValue)/\(kind.rawValue)/\(part)", "\(channel.rawValue)/\(part)"] {
            if let template = library.getTemplate(named: Self.libraryName(name)) { return (name, template) }
        }
        return nil
    }

    func render(_ channel: Channel, _ part: String, kind: MessageKind, context: Any) -> String? {
        template(channel, part, kind: kind).map { $0.template.render(context, library: library) }
    }

    /// The file a template came from (for `cityline check`).
    func file(of name: String) -> String { files[name] ?? "\(name).mustache" }

    /// Every template name, for `cityline check`.
    public var names: [String] { files.keys.sorted() }

    /// `email/layout` → `email.layout`: how templates name each other.
    static func libraryName(_ name: String) -> String { name.replacingOccurrences(of: "/", with: ".") }

    private static func explain(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: return "a section is closed with another name than it was opened"
        case .unfinishedName?: return "a tag is not finished (missing }})"
        case .expectedSectionEnd?: return "a section is not closed"
        case .invalidSetDelimiter?: return "bad set-delimiter tag"
        case .transformAppliedToInheritanceSection?: return "a transform cannot apply to an inherited section"
        case .illegalTokenInsideInheritSection?, .textInsideInheritSection?:
            return "only {{$block}} sections may sit directly inside {{<parent}}"
        case .invalidConfigVariableSyntax?, .unrecognisedConfigVariable?: return "bad {{% …}} pragma"
        case nil: return "does not parse (\(error))"
        }
    }
}
