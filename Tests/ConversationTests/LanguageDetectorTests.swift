import CityModel
import Foundation
@testable import Localization
import Testing

@Suite("LanguageDetector")
struct LanguageDetectorTests {
    let detector = LanguageDetector(catalogWords: ["es": ["bache", "semáforo"]], preferred: ["en", "es", "zh", "vi", "ar"])

    @Test(arguments: [
        ("There is a huge pothole in front of my house", "en"),
        ("Hay un bache enorme en la calle Oak", "es"),
        ("¿Cuándo pasa la basura?", "es"),
        ("Bache grande", "es"),
        ("路灯坏了，晚上很黑", "zh"),
        ("路燈壞了", "zh"),
        ("Có một ổ gà rất lớn trên đường", "vi"),
        ("Co o ga rat lon tren duong, khong ai sua", "vi"),
        ("توجد حفرة كبيرة في الشارع", "ar"),
        ("Il y a un nid-de-poule devant chez moi", "fr"),
        ("Tem um buraco enorme na minha rua", "pt"),
        ("May butas sa kalsada namin", "tl"),
        ("우리 동네에 큰 구멍이 있어요", "ko"),
        ("В нашей улице большая яма", "ru"),
        ("我哋條街有個大窿，好危險", "yue"),
        ("道路に大きな穴があります", "ja"),
        ("خیابان ما یک چاله بزرگ دارد", "fa"),
        ("ہماری گلی میں بڑا گڑھا ہے", "ur"),
        // Iraqi, Gulf and Maghrebi Arabic write چ, گ and ڤ; Persian, Urdu and Kurdish with them stay what they are.
        ("الشارع مالتنا بيه حفرة چبيرة گدام البيت", "ar"),
        ("اكو حفرة چبيرة بالشارع", "ar"),
        ("الضو ديال الزنقة طافي حدا الڤيلا", "ar"),
        ("چرا امروز اینجا هستی؟", "fa"),
        ("ہم چائے میں چینی ڈالتے ہیں۔", "ur"),
        ("ئەم شەقامە چاڵێکی گەورەی تێدایە", "ckb"),
        // Levantine "برا" (outside) is also an Urdu word; the Arabic keyboard's ي says which.
        ("طليقي برا عم يدق عالباب وبيقول رح يقتلني", "ar"),
        ("صاحبتي بعتتلي رسالة وداع وبتقول إنها بلعت علبة الحبوب كلها", "ar"),
        // English street names in a Chinese or Arabic message; "ave" is no evidence of Spanish.
        ("Kissena Blvd 靠近 Sanford Ave 有个大坑", "zh"),
        ("حفرة عند Warren Ave", "ar"),
        ("ave muerta en la calle", "es"),
    ])
    func detects(_ text: String, _ language: String) {
        let detection = detector.detect(text)
        #expect(detection.language == language, "\(text): \(detection)")
        // The city's own languages must be clear enough to act on; for others the engine asks either way.
        if ["en", "es", "zh", "vi", "ar"].contains(language) { #expect(detection.isConfident, "\(text): \(detection)") }
    }

    /// A capitalized word inside a sentence is a name, no evidence of a language: Bolsa (a street of Little Saigon)
    /// is also Uzbek for "if". Text typed all in capitals keeps its words.
    @Test func namesInsideASentenceAreNoEvidence() {
        #expect(detector.detect("goc Bolsa va Magnolia").isConfident == false)
        #expect(LanguageDetector.tokens("pothole on Bolsa Ave. Bolsa is bad", droppingNames: true) == ["pothole", "on", "bolsa", "is", "bad"])
        #expect(LanguageDetector.tokens("HAY UN BACHE EN LA CALLE", droppingNames: true).count == 6)
        #expect(detector.detect("HAY UN BACHE EN LA CALLE OAK").language == "es")
    }

    /// A Persian sentence with گ and none of Arabic's own letters or words is not read as Iraqi Arabic.
    @Test func aDialectLetterAloneDoesNotMakeArabic() {
        #expect(detector.detect("تام برگشت.").language != "ar")
        #expect(detector.detect("اكو حفرة چبيرة").language == "ar")
    }

    /// No evidence is not a guess: the engine keeps the city's default and does not ask.
    @Test(arguments: ["ok", "123 Oak St", "👍", "1", "?", "", "8 Ave 60 St"])
    func noEvidence(_ text: String) {
        #expect(detector.detect(text).language == nil, "\(text)")
    }

    /// Accented words of no known language are "und": not English, so the engine asks.
    @Test func unknownAccentedTextIsNotEnglish() {
        #expect(detector.detect("Ŋaŋ ŋuŋ kaŋ").language == "und")
    }

    /// 关系 (relationship) uses 係 in Mandarin too; it is not a Cantonese marker there.
    @Test func mandarinWithTheCharacterOfCantoneseIs() {
        #expect(detector.detect("我们的關係很好").language == "zh")
    }

    @Test func cityChoiceMapsLanguagesOntoLocales() {
        let locales = [LanguageTag("en"), LanguageTag("es"), LanguageTag("zh-Hans"), LanguageTag("vi"), LanguageTag("ar")]
        #expect(detector.choose("路灯坏了", among: locales) == .locale(LanguageTag("zh-Hans")))
        #expect(detector.choose("Je voudrais signaler un nid-de-poule devant chez moi", among: locales) == .unsupported("fr"))
        #expect(detector.choose("Tem um buraco", among: locales) == .unsupported("pt"))
        #expect(detector.choose("ok", among: locales) == .noEvidence)
    }

    /// Cantonese is served in the city's Chinese locale (its first, when it has two) unless the city offers
    /// Cantonese itself, and then a message torn between the two is asked about; a city without Chinese asks, as
    /// for any language it does not offer.
    @Test func cantoneseIsReadByTheCityChineseLocale() {
        let cantonese = "我哋條街有個大窿，好危險"
        let withChinese = [LanguageTag("en"), LanguageTag("zh-Hant"), LanguageTag("zh-Hans")]
        #expect(detector.choose(cantonese, among: withChinese) == .locale(LanguageTag("zh-Hant")))
        #expect(detector.choose(cantonese, among: [LanguageTag("en"), LanguageTag("yue"), LanguageTag("zh-Hans")]) == .unsure(best: "yue", runnerUp: "zh"))
        #expect(detector.choose(cantonese, among: [LanguageTag("en"), LanguageTag("es")]) == .unsure(best: "yue", runnerUp: "zh"))
        #expect(LanguageDetector.locale(for: "yue", among: [LanguageTag("en"), LanguageTag("zh-Hans")]) == LanguageTag("zh-Hans"))
        #expect(LanguageDetector.locale(for: "yue", among: [LanguageTag("en")]) == nil)
    }
}

@Suite("SMSText")
struct SMSTextTests {
    @Test func gsm7FitsOneSegmentUpTo160() {
        #expect(SMSText.cost(of: String(repeating: "a", count: 160)) == SMSCost(encoding: .gsm7, units: 160, segments: 1))
        #expect(SMSText.cost(of: String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSText.cost(of: String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText.cost(of: String(repeating: "a", count: 307)).segments == 3)
    }

    @Test func extensionCharactersCountTwo() {
        #expect(SMSText.cost(of: "€").units == 2)
        #expect(SMSText.cost(of: String(repeating: "{", count: 80)) == SMSCost(encoding: .gsm7, units: 160, segments: 1))
        #expect(SMSText.cost(of: String(repeating: "{", count: 81)).segments == 2)
    }

    /// Each ASCII character costs what GSM 03.38 says (read through a table, not the sets): the ones outside it
    /// (tab, backtick, other controls) make the message UCS-2, the extension's take two septets.
    @Test func everyASCIICharacterCostsWhatGSM0338Says() {
        for value in UInt8(0)..<128 {
            let character = String(UnicodeScalar(value))
            let cost = SMSText.cost(of: "a" + character)
            if SMSText.basic.contains(UnicodeScalar(value)) {
                #expect(cost == SMSCost(encoding: .gsm7, units: 2, segments: 1), "\(value)")
            } else if SMSText.extended.contains(UnicodeScalar(value)) {
                #expect(cost == SMSCost(encoding: .gsm7, units: 3, segments: 1), "\(value)")
            } else {
                #expect(cost.encoding == .ucs2, "\(value)")
            }
        }
        #expect(SMSText.cost(of: "tab\there").encoding == .ucs2 && SMSText.cost(of: "`").encoding == .ucs2)
        #expect(SMSText.cost(of: "a\\b").units == 4 && SMSText.cost(of: "@$_").units == 3)
    }

    @Test func normalizingLeavesPlainTextAloneAndReplacesTypography() {
        #expect(SMSText.normalize("It's 5 - ok...") == "It's 5 - ok...")
        #expect(SMSText.normalize("It\u{2019}s \u{2014} ok\u{2026}") == "It's - ok...")
        #expect(SMSText.normalize("Calle Oak \u{201C}1423\u{201D}, señal caída") == "Calle Oak \"1423\", señal caída")
    }

    @Test func spanishLettersInGSM7AndOutside() {
        #expect(SMSText.cost(of: "¿Señal caída? ¡Sí!").encoding == .ucs2, "í is not in GSM-7")
        #expect(SMSText.cost(of: "¿Señal? ¡Gracias! Mande una foto").encoding == .gsm7, "ñ ¿ ¡ é are")
    }

    @Test func ucs2SegmentsAre70Then67() {
        #expect(SMSText.cost(of: String(repeating: "中", count: 70)) == SMSCost(encoding: .ucs2, units: 70, segments: 1))
        #expect(SMSText.cost(of: String(repeating: "中", count: 71)).segments == 2)
        #expect(SMSText.cost(of: String(repeating: "中", count: 134)).segments == 2)
        #expect(SMSText.cost(of: String(repeating: "中", count: 135)).segments == 3)
        #expect(SMSText.cost(of: "👍").units == 2, "an emoji is two UTF-16 units")
    }

    @Test func typographicPunctuationBecomesPlain() {
        let text = "It’s “fixed” — see you… «pronto»"
        #expect(SMSText.normalize(text) == "It's \"fixed\" - see you... \"pronto\"")
        #expect(SMSText.cost(of: text).encoding == .ucs2)
        #expect(SMSText.cost(of: SMSText.normalize(text)).encoding == .gsm7)
        #expect(SMSText.normalize("Tiếng Việt 中文 العربية") == "Tiếng Việt 中文 العربية", "letters are never touched")
    }
}
