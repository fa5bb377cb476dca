/// Where a message belongs in a conversation on a channel that threads (email; later, chat apps that reply to a
/// message): the message it answers, the chain before that, and the conversation's subject.
///
/// On an inbound email it is the resident's own: `id` its Message-ID, `references` its References (and
/// In-Reply-To), `subject` its Subject. A reply answers it: In-Reply-To `id`, References `references + [id]`,
/// Subject "Re: <subject>" — so the resident's mail client shows our answers in the thread they started, and a
/// ticket keeps the thread it was reported in for every later update and survey.
///
/// ```json
/// {"id": "CAF3k2@mail.example.org", "references": ["CAE1a9@mail.example.org"], "subject": "Broken streetlight"}
/// ```
public struct MessageThread: Hashable, Sendable, Codable {
    /// The message answered, without angle brackets.
    public var id: String
    /// The messages before it in the thread, oldest first, without angle brackets.
    public var references: [String]
    /// The conversation's subject as the resident wrote it (a "Re:" prefix removed); nil when it had none.
    public var subject: String?

    public init(id: String, references: [String] = [], subject: String? = nil) {
        self.id = id
        self.references = references
        self.subject = subject
    }

    /// The References of a reply to this message: the chain, then the message itself (each once, at most the last
    /// 20, as mail clients keep the root and the latest).
    public var replyReferences: [String] {
        var chain = references.filter { $0 != id } + [id]
        if chain.count > 20 { chain = [chain[0]] + chain.suffix(19) }
        return chain
    }
}
