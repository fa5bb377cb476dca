@testable import CityConfig
import CityModel
import Foundation
import Testing

/// YAML's explicit complex keys ("? key") are refused with their file and line before Yams sees them: Yams can take
/// exponential time to report nested complex keys that turn out to be duplicates (it sorts them, and comparing two
/// nested mappings compares their keys both ways at every level). The `city-yaml` fuzz target found such a
/// `city.yaml` (Fuzz/Corpus/city-yaml/hang-nested-complex-keys.yaml): in the fuzzer's release build, the second
/// load of it in one process ran for minutes inside Yams' duplicate-key check. Without the check this test either
/// fails (Yams' own error at line 7) or, run after other suites in the same process, never finishes (seen once: 20
/// minutes in Yams' `Node <`); with it, the complex key at line 1 is the answer, every time.
@Suite struct ComplexKeyTests {
    func line(_ text: String) -> Int? { YAMLValue.complexKeyLine(Array(text.utf8)) }

    @Test func theFuzzersHangIsAnErrorEveryTime() throws {
        let input = try String(contentsOf: CityLoaderTests.root.appendingPathComponent("Fuzz/Corpus/city-yaml/hang-nested-complex-keys.yaml"),
                               encoding: .utf8)
        let directory = try CityLoaderTests().brokenCity("city.yaml") { _ in input }
        let cache = YAMLFileCache()
        for _ in 0..<3 { // the hang came on the second load of the same bytes
            let error = #expect(throws: ConfigError.self) {
                try CityLoader(directory: directory, environment: [:], cache: cache).load()
            }
            #expect(error?.file.hasSuffix("city.yaml") == true)
            #expect(error?.line == 1)
            #expect(error?.message.contains("complex key") == true, "\(String(describing: error))")
        }
    }

    @Test func explicitKeysAreFoundWhereANodeCanStart() {
        #expect(line("? key\n: value\n") == 1)
        #expect(line("name: x\n? [a, b]\n: y\n") == 2)
        #expect(line("list:\n  - ? a\n    : b\n") == 2)
        #expect(line("flow: {? a: b}\n") == 1)
        #expect(line("flow: [x, ? a: b]\n") == 1)
        #expect(line("key: &anchor ? a\n") == 1)
        #expect(line("a: 1\r\n? b\r\n: 2\r\n") == 2)
        #expect(line("?\n: value\n") == 1)
    }

    @Test func questionMarksInTextAreNotKeys() {
        #expect(line("en: Is it fixed?\nes: ¿Ya está arreglado?\n") == nil)
        #expect(line("q: what ? no\n") == nil)
        #expect(line("q: \"? quoted\"\nr: '? it''s quoted'\n") == nil)
        #expect(line("q: \"a string that goes on\n  ? over two lines\"\n") == nil)
        #expect(line("# ? a comment\nkey: value # ? another\n") == nil)
        #expect(line("text: |\n  ? a block scalar line\n  - and another\nnext: 1\n") == nil)
        #expect(line("text: >-\n  ? folded\n") == nil)
        #expect(line("?x: value\nurl: https://example.org/?a=b\n") == nil)
        #expect(line("") == nil)
        // After a block scalar, a key at its parent's indentation is read again.
        #expect(line("text: |\n  ? inside\n? outside\n: x\n") == 3)
    }
}
