import CityModel
import Foundation
import Localization

/// Places written in Spanish, Vietnamese, Chinese and Arabic around the city's (English) street names:
/// "en la calle Oak 123", "esquina de Oak y 5th", "số 123 đường Oak", "góc Oak và 5th", "Oak街123号",
/// "Oak和5th路口", "شارع Oak 123", "تقاطع Oak و 5th". Like the English reader it prefers missing a place to
/// inventing one: a street word and a name need a house number, and two names need a word that makes them
/// a corner ("esquina", "góc", "路口", "تقاطع"), a place word before them ("en Oak y 5th", "ở Oak và 5th") or a
/// street word on each side.
extension LocationExtractor {
    /// A street name as residents write it in any language: one to three words of Latin letters or digits,
    /// the first capitalized or an ordinal ("Oak", "Martin Luther King", "5th", "W Main St").
    private static let name = #"((?:[A-Z][A-Za-z'’.-]*|\d+(?:st|nd|rd|th))(?:[ \t]+(?:[A-Z][A-Za-z'’.-]*|\d+(?:st|nd|rd|th)|St|Ave|Rd|Blvd|Dr|Ln))"#
        + #"{0,2})"#

    /// A street name that cannot be an ordinary word: numbered ("5th", "5th St") or with a suffix ("Oak St",
    /// "Martin Luther King Blvd").
    private static let strongName = #"((?:\d+(?:st|nd|rd|th)(?:[ \t]+(?:St|Ave|Rd|Blvd|Dr|Ln|Street|Avenue|Road))?|(?:[A-Z][A-Za-z'’.-]*[ \t]+){1,3}(?:St|Ave|Rd|Blvd|Dr|Ln|Street|Avenue|Road|Boulevard|Drive|Lane)\b)\.?)"#

    private static let streetWords = #"(?:calle|avenida|av\.|avda\.?|camino|bulevar|carretera|đường|phố|شارع|طريق)"#
    private static let numberWords = #"(?:número|numero|núm\.?|no\.?|#|số|رقم)?"#
    private static let and = #"(?:y|e|con|và|với|和|与|跟|及|و)"#

    private static let patterns: [(Location.Kind, NSRegularExpression)] = {
        let address: [String] = [
            // calle Oak 123 · calle Oak, número 123 · شارع Oak رقم 123
            #"(?i:\#(streetWords))[ \t]+\#(name)[ \t]*,?[ \t]*(?i:\#(numberWords))[ \t]*(\d{1,6})\b"#,
            // frente al 1423 de la calle Oak · cerca del 200 de la avenida Elm: a number "de la calle" a name
            #"(\d{1,6})[ \t]+(?i:de[ \t]+la|del|de)[ \t]+(?i:\#(streetWords))[ \t]+\#(name)"#,
            // 123 calle Oak · số 123 đường Oak
            #"(?i:số[ \t]+)?(\d{1,6})[ \t]+(?i:\#(streetWords))[ \t]+\#(name)"#,
            // Oak街123号 · Oak路123号
            #"\#(name)[ \t]*(?:街|路|大道|大街)?[ \t]*(\d{1,6})[ \t]*号"#,
        ]
        let corner: [String] = [
            // esquina de Oak y 5th · góc Oak và 5th · تقاطع Oak و 5th · cruce de Oak con 5th
            #"(?i:esquina|cruce|intersección|interseccion|góc|ngã tư|ngã ba|تقاطع|زاوية)[ \t]+(?i:de[ \t]+|del[ \t]+|la[ \t]+|đường[ \t]+|شارع[ \t]+)*\#(name)[ \t]*\#(and)[ \t]*(?i:la[ \t]+|đường[ \t]+|شارع[ \t]+)*\#(name)"#,
            // Oak和5th路口 · Oak街和5th街交叉口
            #"\#(name)[ \t]*(?:街|路)?[ \t]*\#(and)[ \t]*\#(name)[ \t]*(?:街|路)?[ \t]*(?:的)?(?:路口|交叉口|十字路口|拐角)"#,
            // de Main y Elm · en Oak y 5th · ở Oak và 5th · عند Oak و 5th: a place word before two names
            #"(?i:\ben|\bde|\bentre|cerca de|\bở|\btại|\bgần|عند|قرب|بين)[ \t]+(?i:la[ \t]+|el[ \t]+|las[ \t]+|đường[ \t]+|شارع[ \t]+)?\#(name)[ \t]*\#(and)[ \t]*\#(name)"#,
            // Oak St 靠近 5th St · Oak St cerca de 5th Ave · đường Oak St gần 5th St · شارع Oak St قرب 5th St: a
            // street near another, both with a suffix or numbered, as in English ("Oak St near 5th St")
            #"\#(strongName)[ \t]*(?i:cerca[ \t]+de(?:l|[ \t]+la)?|junto[ \t]+a(?:l|[ \t]+la)?|gần|靠近|附近的?|旁边的?|近|قرب|جنب)[ \t]*(?i:la[ \t]+|đường[ \t]+|شارع[ \t]+)?\#(strongName)"#,
            // calle Oak y calle 5th · đường Oak và đường 5th
            #"(?i:\#(streetWords))[ \t]+\#(name)[ \t]*\#(and)[ \t]*(?i:\#(streetWords))[ \t]+\#(name)"#,
        ]
        // The patterns are constants: a typo in one is a programming error caught by the tests.
        return address.map { (.address, try! NSRegularExpression(pattern: $0)) }
            + corner.map { (.intersection, try! NSRegularExpression(pattern: $0)) }
    }()

    /// Whether `text` has a word the patterns start from: any non-ASCII text may (đường, 路口, شارع); ASCII text
    /// needs a Spanish street or corner word ("calle", "esquina", "en Oak y 5th"). Most messages need no regex.
    ///
    /// Every pattern holds a street name, which starts with a capital A–Z or a digit: text with neither ("路灯坏了",
    /// "حفرة كبيرة", most Chinese and Arabic messages) is not searched at all.
    static func mayHoldLocalizedPlace(_ text: String) -> Bool {
        var ascii = true, nameStart = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                if (0x41...0x5A).contains(scalar.value) || (0x30...0x39).contains(scalar.value) { nameStart = true }
            } else {
                ascii = false
                // `\d` in the patterns is any decimal digit (٣, ３), not only 0–9.
                if scalar.properties.numericType == .decimal { nameStart = true }
            }
        }
        guard nameStart else { return false }
        guard ascii else { return true }
        return FoldedText(text).words.contains { spanishMarkers.contains($0) }
    }

    private static let spanishMarkers: Set<String> = [
        "calle", "avenida", "av", "avda", "camino", "bulevar", "carretera", "esquina", "cruce", "interseccion",
        "en", "de", "del", "entre", "cerca", "junto",
    ]

    /// A place written the way Spanish, Vietnamese, Chinese or Arabic speakers write one, normalized to the
    /// English form the rest of the city uses ("123 Oak", "Oak & 5th").
    static func localizedPlace(in text: String, prechecked: Bool = true) -> Location? {
        guard !prechecked || mayHoldLocalizedPlace(text) else { return nil }
        for (kind, regex) in patterns {
            let whole = NSRange(text.startIndex..., in: text)
            guard let match = regex.firstMatch(in: text, range: whole) else { continue }
            let parts = (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            switch kind {
            case .address:
                guard let number = parts.first(where: { $0.allSatisfy(\.fastIsNumber) }),
                      let street = parts.first(where: { !$0.allSatisfy(\.fastIsNumber) }) else { continue }
                return Location(kind: .address, text: "\(number) \(street)")
            default:
                guard parts.count >= 2 else { continue }
                return Location(kind: .intersection, text: "\(parts[0]) & \(parts[1])")
            }
        }
        return nil
    }
}
