import Testing
@testable import WebAPI

/// The web chat's client frames read from their text alone (what `Fuzz/chat-frame` feeds any bytes to): every
/// malformed frame is a problem with the code the `error` frame carries.
@Suite struct ChatClientFrameTests {
    static func code(_ text: String) -> String? {
        do {
            _ = try ChatClientFrame.decode(text)
            return nil
        } catch let problem as ChatProblem {
            return problem.code
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func framesAreRead() throws {
        #expect(try ChatClientFrame.decode(#"{"type":"start","session":null,"locale":"es"}"#) == .start(session: nil, locale: "es"))
        #expect(try ChatClientFrame.decode(#"{"type":"start","session":"abc"}"#) == .start(session: "abc", locale: nil))
        #expect(try ChatClientFrame.decode(#"{"type":"message","id":"m1","text":"  hi  ","photo":"a.jpg"}"#)
                == .message(id: "m1", text: "hi", photo: "a.jpg"))
    }

    @Test func malformedFramesGetTheirCode() {
        #expect(Self.code("") == "bad_frame")
        #expect(Self.code("[1,2]") == "bad_frame")
        #expect(Self.code(#"{"type":5}"#) == "bad_frame")
        #expect(Self.code(#"{"type":"hello"}"#) == "bad_frame")
        #expect(Self.code(#"{"type":"start","session":7}"#) == "bad_frame")
        #expect(Self.code(#"{"type":"message","id":"","text":"x"}"#) == "bad_frame")
        #expect(Self.code(#"{"type":"message","id":"\#(String(repeating: "i", count: 65))","text":"x"}"#) == "bad_frame")
        #expect(Self.code(#"{"type":"message","id":"m","text":null}"#) == "bad_frame")
        #expect(Self.code(#"{"type":"message","id":"m","text":"x","photo":null}"#) == "unknown_photo")
    }
}
