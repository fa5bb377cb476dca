import CityModel
import Foundation
@testable import Localization
import Testing

@Suite struct TrackingNumberTests {
    @Test func checkDigitRoundTrips() throws {
        let number = TrackingNumber(serial: 100_000)
        #expect(number.digits == "1000002")
        #expect(TrackingNumber(parsing: "1000002") == number)
        #expect(TrackingNumber(parsing: " #100-0002 ") == number)
        #expect(TrackingNumber(parsing: "100 0002") == number)
    }

    /// Tickets numbered from the store's sequence: distinct, seven digits for the first 900,000, then eight; not in
    /// counting order; and every one parses back.
    @Test func sequenceNumbersAreDistinctShuffledAndGrowWhenASizeIsUsedUp() {
        var seen = Set<String>(minimumCapacity: 900_000)
        var allSeven = true
        for index in 0..<900_000 {
            let number = TrackingNumber(sequence: index)
            allSeven = allSeven && number.digits.utf8.count == 7 && number.digits.first != "0"
            seen.insert(number.digits)
        }
        #expect(allSeven && seen.count == 900_000, "the first 900,000 indexes use every seven-digit number once")
        let first = (0..<5).map { TrackingNumber(sequence: $0).digits }
        #expect(zip(first, first.dropFirst()).allSatisfy { abs(Int($0)! - Int($1)!) > 10 }, "\(first)")
        let longer = (900_000..<900_050).map(TrackingNumber.init(sequence:))
        #expect(longer.allSatisfy { $0.digits.count == 8 } && Set(longer).count == 50)
        #expect(TrackingNumber(sequence: 9_900_000).digits.count == 9)
        for number in first.compactMap(TrackingNumber.init(parsing:)) + longer {
            #expect(TrackingNumber(parsing: number.digits) == number)
        }
    }

    @Test(arguments: ["1000008", "1000070", "0100007", "100007", "10000020", "abcdefg", "", "2175550100", "012345678"])
    func malformedNumbersAreRejected(text: String) {
        // One wrong digit, two swapped digits, wrong length (a zero too many, a phone number), letters.
        #expect(TrackingNumber(parsing: text) == nil)
    }

    @Test func everySingleTypoAndNeighbourSwapIsCaught() {
        for serial in [100_000, 123_456, 909_090, 555_555, 987_650] {
            let digits = Array(TrackingNumber(serial: serial).digits)
            for index in digits.indices {
                for digit in "0123456789" where digit != digits[index] {
                    var typo = digits
                    typo[index] = digit
                    #expect(TrackingNumber(parsing: String(typo)) == nil, "\(String(typo))")
                }
                if index + 1 < digits.count, digits[index] != digits[index + 1] {
                    var swapped = digits
                    swapped.swapAt(index, index + 1)
                    #expect(TrackingNumber(parsing: String(swapped)) == nil, "\(String(swapped))")
                }
            }
        }
    }

    @Test func everySerialParses() {
        for serial in stride(from: 0, to: 1_000_000, by: 7919) {
            let number = TrackingNumber(serial: serial)
            #expect(TrackingNumber(parsing: number.digits) == number)
        }
    }
}

@Suite struct ValueTests {
    @Test func durations() {
        #expect(ShortDuration.seconds("0s") == 0)
        #expect(ShortDuration.seconds("90s") == 90)
        #expect(ShortDuration.seconds("2h") == 7200)
        #expect(ShortDuration.seconds("1h30m") == 5400)
        #expect(ShortDuration.seconds("3d") == 259_200)
        #expect(ShortDuration.seconds("3") == nil)
        #expect(ShortDuration.seconds("soon") == nil)
        #expect(ShortDuration.format(5400) == "1h30m")
    }

    @Test func languageTags() {
        #expect(LanguageTag("es_mx").code == "es-MX")
        #expect(LanguageTag("zh-hans-cn").parents.map(\.code) == ["zh-Hans-CN", "zh-Hans", "zh"])
        let name = LocalizedText([.english: "Pothole", LanguageTag("es"): "Bache"])
        #expect(name.resolve(LanguageTag("es-MX")) == "Bache")
        #expect(name.resolve(LanguageTag("vi")) == "Pothole")
    }

    @Test func folding() {
        #expect(TextFolding.fold("  ¡Está ROTO!  ") == "esta roto")
        #expect(TextFolding.fold("There's a pot-hole.") == "theres a pot hole")
        #expect(TextFolding.words("STOP.") == ["stop"])
    }

    @Test func quietHoursAcrossMidnightAndDST() throws {
        let chicago = try #require(TimeZone(identifier: "America/Chicago"))
        let quiet = QuietHours(start: TimeOfDay("21:00")!, end: TimeOfDay("08:00")!)
        let iso = ISO8601DateFormatter()
        // 2026-11-01: clocks fall back at 02:00. 07:30 local is 13:30Z (CST), still quiet.
        #expect(quiet.contains(iso.date(from: "2026-11-01T13:30:00Z")!, in: chicago))
        #expect(!quiet.contains(iso.date(from: "2026-11-01T14:30:00Z")!, in: chicago)) // 08:30 CST
        #expect(quiet.contains(iso.date(from: "2026-11-02T03:30:00Z")!, in: chicago))  // 21:30 CST
        // 2026-03-08: clocks spring forward. 08:30 CDT is 13:30Z.
        #expect(!quiet.contains(iso.date(from: "2026-03-08T13:30:00Z")!, in: chicago))
        #expect(QuietHours(start: TimeOfDay("08:00")!, end: TimeOfDay("08:00")!).contains(Date(), in: chicago) == false)
    }

    @Test func businessHoursNextOpening() throws {
        let chicago = try #require(TimeZone(identifier: "America/Chicago"))
        let hours = Fixtures.city.businessHours
        let iso = ISO8601DateFormatter()
        let saturdayNight = iso.date(from: "2026-11-21T22:30:00-06:00")!
        #expect(!hours.isOpen(at: saturdayNight, in: chicago))
        #expect(hours.nextOpeningDate(after: saturdayNight, in: chicago) == iso.date(from: "2026-11-23T08:00:00-06:00"))
        #expect(hours.isOpen(at: iso.date(from: "2026-11-23T10:00:00-06:00")!, in: chicago))
    }

    @Test func pointInPolygon() {
        let square = GeoBoundary(polygons: [[[
            Coordinate(latitude: 0, longitude: 0), Coordinate(latitude: 0, longitude: 1),
            Coordinate(latitude: 1, longitude: 1), Coordinate(latitude: 1, longitude: 0), Coordinate(latitude: 0, longitude: 0),
        ]]])
        #expect(square.contains(Coordinate(latitude: 0.5, longitude: 0.5)))
        #expect(!square.contains(Coordinate(latitude: 1.5, longitude: 0.5)))
    }
}

@Suite struct FoldingTests {
    /// The ASCII fast path must give exactly what the Unicode path gives.
    @Test(arguments: [
        "There's a big POTHOLE at 1423 Oak St!!", "  STOP. ", "don't-know", "a\tb\nc", "#100-0015", "e-mail: x@y.z", "",
        "___", "Oak & 5th", "it's 3:30pm", "O'Hare", "~5 items", "1/2",
    ])
    func asciiFastPathMatchesUnicodePath(text: String) {
        #expect(TextFolding.foldASCII(text) == FoldedText(text).folded)
    }

    @Test func nonASCIITakesTheUnicodePath() {
        #expect(TextFolding.foldASCII("Está") == nil)
        #expect(TextFolding.fold("Está ROTO") == "esta roto")
    }

    /// The table-driven folding gives what folding whole strings with Foundation gave (the reference below, the
    /// implementation before the fast text core), in every launch language and a few others.
    @Test(arguments: [
        "¡Está ROTO!", "Hay un bache enorme en la calle Oak 1423", "Niño pequeño, ¿dónde está?", "ÀÉÎÕÜ ñ ç ß Œuvre",
        "路灯坏了", "Oak街123号门口有个大坑", "Ｆｕｌｌ ｗｉｄｔｈ １２３", "Nhà bên cạnh đang CHÁY!", "ĐƯỜNG Oak số 5",
        "Có ổ gà lớn ở số 123 đường Oak", "يوجد حفرة كبيرة في شارع Oak رقم ١٢٣", "أُمّي لا تَتنفّس", "مستشفى ـــ الطوارئ",
        "Привет, мир", "Γειά σου", "e\u{0301}cole", "don’t stop", "emoji 🚒🔥 fire", "tab\there", "١٢٣ و ٤٥٦",
    ])
    func tableFoldingMatchesFoundation(text: String) {
        #expect(FoldedText(text).folded == Self.referenceFold(text))
    }

    @Test func marksAreKeptApartFromTheFoldedWords() {
        let text = FoldedText("DỪNG lại, đúng!")
        #expect(text.words == ["dung", "lai", "dung"])
        #expect(text.markedWords == ["dừng", "lại", "đúng"])
        #expect(text.hasMarks && text.isMarked(0) && text.isMarked(2))
        #expect(TextFolding.marked("dung lai") == nil)
        #expect(TextFolding.marked("Dừng lại") == "dừng lại")
        // Typed with combining marks (decomposed), read like the composed letters.
        #expect(FoldedText("du\u{0300}ng").markedWords == ["dùng"])
    }

    /// Traditional Chinese is read as Simplified, so one set of phrases matches both; other scripts are untouched.
    @Test func traditionalChineseIsReadAsSimplified() {
        #expect(FoldedText("臉都變紫了").words == ["脸", "都", "变", "紫", "了"])
        #expect(FoldedText("路燈壞咗 Oak St").folded == FoldedText("路灯坏咗 oak st").folded)
        #expect(FoldedText("機車騎士").words == FoldedText("机车骑士").words)
        #expect(FoldedText("路灯坏了").words == ["路", "灯", "坏", "了"]) // Simplified stays as it is
    }

    @Test func sentencesEndAtFullStopsNotCommas() {
        let text = FoldedText("There's a crash at Main and 5th, people are hurt. Send help!\nNow")
        #expect(text.sentences == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2])
        #expect(FoldedText("有人倒地。没有呼吸").sentences == [0, 0, 0, 0, 1, 1, 1, 1])
        #expect(FoldedText("هل أنت بخير؟ لا").sentences == [0, 0, 0, 1])
    }

    /// Folding as it was done before the text core: Foundation over the whole string, then scalar by scalar.
    static func referenceFold(_ text: String) -> String {
        let lowered = TextFolding.normalizeArabic(
            text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil))
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        func space() {
            if !lastWasSpace {
                out.append(" ")
                lastWasSpace = true
            }
        }
        for scalar in lowered.unicodeScalars {
            if let digit = TextFolding.asciiDigit(scalar) {
                out.append(digit)
                lastWasSpace = false
            } else if scalar == "\u{0111}" {
                out.append("d")
                lastWasSpace = false
            } else if scalar == "'" || scalar == "’" {
                continue
            } else if TextFolding.isIdeograph(scalar) {
                space()
                out.append(scalar)
                lastWasSpace = false
                space()
            } else if CharacterSet.alphanumerics.contains(scalar) {
                out.append(scalar)
                lastWasSpace = false
            } else {
                space()
            }
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }
}

/// RFC 3339 times from outside (imports, Open311, chat apps), read by Foundation's ISO 8601 parse strategy.
@Suite struct InternetTimeTests {
    @Test func readsOffsetsAndFractionsAndNothingElse() {
        #expect(InternetTime.date("2026-11-23T10:00:00-06:00")?.timeIntervalSince1970 == 1_795_449_600)
        #expect(InternetTime.date("2026-11-23T16:00:00.250Z")?.timeIntervalSince1970 == 1_795_449_600.25)
        #expect(InternetTime.date(" 2026-11-23T16:00:00+0000 ")?.timeIntervalSince1970 == 1_795_449_600)
        #expect(InternetTime.date("2026-11-23T16:00:00.123456Z")?.timeIntervalSince1970 == 1_795_449_600.123456)
        for bad in ["2026-11-23", "yesterday", "", "2026-13-40T99:00:00Z", "2026-11-23 16:00:00Z", "2026-11-23T16:00:00"] {
            #expect(InternetTime.date(bad) == nil, "\(bad)")
        }
    }

    @Test func manyTasksAtOnceReadTheSame() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let seconds = 1_795_449_600 + index * 61
                    let text = index % 2 == 0 ? Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601)
                                              : Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601).replacingOccurrences(of: "Z", with: ".500Z")
                    let expected = Double(seconds) + (index % 2 == 0 ? 0 : 0.5)
                    return InternetTime.date(text)?.timeIntervalSince1970 == expected
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 200 && results.allSatisfy { $0 })
    }
}
