import CityModel
import Foundation
import Testing
@testable import Conversation

/// `LocationExtractor.localizedPlace` skips its regexes for text no pattern can match (no capital A–Z and no digit,
/// or ASCII text without a Spanish place word). The skip must never change an answer: every line of the geocoding
/// sets and the triage corpus (five languages, every kind of place, emergencies written around addresses) gives the
/// same place with and without it.
@Suite struct LocationPrecheckTests {
    static let evaluation = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Evaluation")

    /// The `text` column of every TSV under `folder`.
    static func texts(_ folder: String) throws -> [String] {
        let root = evaluation.appendingPathComponent(folder)
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".tsv") }
        return try files.flatMap { file -> [String] in
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map(String.init)
            guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false),
                  let column = header.firstIndex(of: "text") else { return [] }
            return lines.dropFirst().compactMap { line in
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                return fields.count > column ? String(fields[column]) : nil
            }
        }
    }

    @Test func skippingTheRegexesNeverChangesWhatIsFound() throws {
        let texts = try Self.texts("geocode") + Self.texts("triage") + [
            "Oak街123号有个大坑", "Oak和5th路口的路灯坏了", "حفرة كبيرة في شارع Oak رقم 123", "路灯坏了", "حفرة كبيرة",
            "hay un bache frente al 1423 de la calle Oak", "calle Oak ١٢٣", "Ｏak街１２３号",
        ]
        #expect(texts.count > 3_000)
        var found = 0, skipped = 0
        for text in texts {
            let quick = LocationExtractor.localizedPlace(in: text)
            let full = LocationExtractor.localizedPlace(in: text, prechecked: false)
            #expect(quick == full, "\(text)")
            if full != nil { found += 1 }
            if !LocationExtractor.mayHoldLocalizedPlace(text) { skipped += 1 }
        }
        // Both sides of the check are exercised: places are found, and many texts are never searched.
        #expect(found > 100 && skipped > 500, "found \(found), skipped \(skipped)")
    }
}
