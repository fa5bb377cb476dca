import Foundation
@testable import Geocoding
import Testing

/// The typo distance the geocoder compares every street with: checked against a plain full-table implementation of
/// the same (optimal string alignment) distance on random short words, at every limit (over the limit, any number
/// above it).
@Suite struct EditsTests {
    /// Optimal string alignment distance, the whole table, no early exit.
    static func reference(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    @Test func agreesWithTheFullTableOnRandomWords() {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcé街".unicodeScalars)
        func word() -> [Unicode.Scalar] { (0..<Int.random(in: 0...7, using: &generator)).map { _ in letters.randomElement(using: &generator)! } }
        for _ in 0..<3_000 {
            let a = word(), b = word()
            let exact = Self.reference(a, b)
            for limit in 0...3 {
                let found = Edits.distance(a, b, limit: limit)
                #expect(exact <= limit ? found == exact : found > limit, "\(String(String.UnicodeScalarView(a))) / \(String(String.UnicodeScalarView(b))) limit \(limit)")
            }
            #expect(Edits.distance(String(String.UnicodeScalarView(a)), String(String.UnicodeScalarView(b)), limit: 9) == exact)
        }
    }

    /// The letter-set bound the typo scan filters with never exceeds the distance, so it never skips a street the
    /// distance would have let through (scalars from 0 to 200 share bits modulo 64).
    @Test func letterSetsBoundTheDistanceFromBelow() {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdeé街".unicodeScalars) + (0..<200).compactMap(Unicode.Scalar.init)
        func word() -> [Unicode.Scalar] { (0..<Int.random(in: 0...8, using: &generator)).map { _ in letters.randomElement(using: &generator)! } }
        for _ in 0..<5_000 {
            let a = word(), b = word()
            #expect(Edits.leastDistance(Edits.letters(a), Edits.letters(b)) <= Self.reference(a, b))
        }
        #expect(Edits.leastDistance(Edits.letters(Array("oak".unicodeScalars)), Edits.letters(Array("oka".unicodeScalars))) == 0)
        #expect(Edits.leastDistance(Edits.letters(Array("walnut".unicodeScalars)), Edits.letters(Array("chestnut".unicodeScalars))) == 4)
    }

    @Test func examples() {
        #expect(Edits.distance("oak", "oak", limit: 2) == 0)
        #expect(Edits.distance("oak", "oka", limit: 2) == 1) // a swap is one edit
        #expect(Edits.distance("lincoln", "lincon", limit: 2) == 1)
        #expect(Edits.distance("walnut", "chestnut", limit: 2) > 2) // over the limit: more than it
    }
}
