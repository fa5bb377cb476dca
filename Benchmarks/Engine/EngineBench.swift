// In-process engine benchmark (Benchmarks/engine.sh): whole dialogs in the five launch languages — first
// messages that name a problem and a place, mid-dialog answers (menu numbers, yes/no, skip), commands and an
// emergency — through `Engine.handle` on one thread, with no storage or rendering. Prints turns per second.
import CityConfig
import CityModel
import Conversation
import Foundation
import Localization

/// One resident's messages, in order.
let dialogs: [[String]] = [
    ["There's a huge pothole in front of 1423 Oak St", "1", "skip", "skip", "yes"],
    ["street light out at Elm and 5th", "it's out", "skip", "no photo", "yes"],
    ["the trash wasn't picked up on my street today, 88 Maple Ave", "1", "monday", "skip", "yes"],
    ["graffiti on the wall behind the library", "Main St and 3rd", "skip", "yes"],
    ["STATUS"],
    ["a man collapsed on the sidewalk and isn't breathing"],
    ["Hay un bache enorme en la calle Oak 1423", "1", "no sé", "sí"],
    ["la farola de la esquina de Oak y 5th no prende", "apagada", "no", "sí"],
    ["no pasaron a recoger la basura en 45 Pine St", "1", "lunes", "sí"],
    ["Oak街123号门口有个大坑", "1", "跳过", "跳过", "是"],
    ["路灯坏了 在Elm和5th路口", "不亮", "跳过", "是"],
    ["Có ổ gà lớn ở số 123 đường Oak", "1", "bỏ qua", "bỏ qua", "có"],
    ["đèn đường bị hư ở góc Oak và 5th", "không sáng", "bỏ qua", "có"],
    ["يوجد حفرة كبيرة في شارع Oak رقم 123", "1", "تخطي", "تخطي", "نعم"],
    ["عمود الإنارة مطفأ عند تقاطع Oak و 5th", "مطفأ", "تخطي", "نعم"],
]

func run() throws {
    let arguments = CommandLine.arguments
    func value(_ flag: String) -> String? {
        arguments.firstIndex(of: flag).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
    }
    let root = value("--root") ?? FileManager.default.currentDirectoryPath
    let seconds = Double(value("--seconds") ?? "5") ?? 5
    let city = try CityLoader(directory: root + "/DemoCity", environment: ProcessInfo.processInfo.environment).load()
    let (_, lexicon) = try LocaleLoader(directory: root + "/Locales").load()
    let engine = Engine(city: city, lexicon: lexicon)
    let context = TurnContext(tickets: [], newTrackingNumber: TrackingNumber(serial: 123_456))
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    // `--message TEXT`: only that message, as a new resident's first, again and again (the SMS webhook's benchmark
    // sends "There's a big pothole at 1423 Oak St" from new residents).
    let measured = value("--message").map { [[$0]] } ?? dialogs
    func pass() -> Int {
        var turns = 0
        for dialog in measured {
            var session = Session()
            for (index, text) in dialog.enumerated() {
                let turn = engine.handle(session, Inbound(text: text), context: context, now: start + Double(index * 30))
                session = turn.session
                turns += 1
            }
        }
        return turns
    }
    // Warm up, then measure whole passes until the time is up.
    for _ in 0..<20 { _ = pass() }
    var turns = 0
    let clock = ContinuousClock()
    let began = clock.now
    let limit = Duration.milliseconds(Int(seconds * 1000))
    while clock.now - began < limit { turns += pass() }
    let elapsed = clock.now - began
    let secondsTaken = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "engine: %.0f turns/s (%d turns in %.2f s, one thread)", Double(turns) / secondsTaken, turns, secondsTaken))
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("cityline-engine-bench: \(error)\n".utf8))
    exit(1)
}
