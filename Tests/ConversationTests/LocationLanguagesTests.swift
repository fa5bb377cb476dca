import CityModel
import Conversation
import Testing

/// Places written in the other launch languages around the city's English street names.
@Suite("LocationExtractor in other languages")
struct LocationLanguagesTests {
    let extractor = LocationExtractor()

    @Test(arguments: [
        ("Hay un bache enorme en la calle Oak 123", Location.Kind.address, "123 Oak"),
        ("Basura tirada en la avenida Martin Luther King, número 450", .address, "450 Martin Luther King"),
        ("Hay grafiti en la esquina de Oak y 5th", .intersection, "Oak & 5th"),
        ("semáforo roto en el cruce de Main con Elm", .intersection, "Main & Elm"),
        ("Có ổ gà lớn ở số 123 đường Oak", .address, "123 Oak"),
        ("Đèn đường bị hỏng ở góc Oak và 5th", .intersection, "Oak & 5th"),
        ("Oak街123号有个大坑", .address, "123 Oak"),
        ("Oak和5th路口的路灯坏了", .intersection, "Oak & 5th"),
        ("حفرة كبيرة في شارع Oak رقم 123", .address, "123 Oak"),
        ("إشارة المرور معطلة عند تقاطع Oak و 5th", .intersection, "Oak & 5th"),
        ("There's a pothole at 123 Oak St", .address, "123 Oak St"),
        ("El semáforo de Main y Elm no funciona", .intersection, "Main & Elm"),
        ("Đèn giao thông ở Oak và 5th bị hỏng", .intersection, "Oak & 5th"),
        // "near", "in front of", "across from", "the 200 block of" and their Spanish equivalents (issue 10).
        ("hay un bache frente al 1423 de la calle Oak", .address, "1423 Oak"),
        ("el poste de luz enfrente del 220 de la avenida Walnut está apagado", .address, "220 Walnut"),
        ("hay un bache cerca de la calle Oak 1423", .address, "1423 Oak"),
        ("la farola cerca de Oak y 5th no prende", .intersection, "Oak & 5th"),
        ("pothole near 1423 Oak St", .address, "1423 Oak St"),
        ("pothole in front of 1423 Oak St", .address, "1423 Oak St"),
        ("there's a dead deer across from 77 Elm Ave", .address, "77 Elm Ave"),
        ("streetlight out near Oak and 5th", .intersection, "Oak & 5th"),
        ("pothole on the 200 block of Oak St", .address, "200 block of Oak St"),
        // A street near another, both plainly streets: the corner.
        ("pothole on Oak St near 5th St", .intersection, "Oak St & 5th St"),
        ("pothole on Oak near 5th St", .intersection, "Oak & 5th St"),
        ("streetlight out on Elm Ave by 3rd", .intersection, "Elm Ave & 3rd"),
        ("trash dumped on Oak St off 5th", .intersection, "Oak St & 5th"),
        ("Oak St 靠近 5th St 有个大坑", .intersection, "Oak St & 5th St"),
        ("bache en Oak St cerca de 5th St", .intersection, "Oak St & 5th St"),
        ("basura tirada en Elm Ave junto a la 3rd St", .intersection, "Elm Ave & 3rd St"),
        ("o ga tren duong Oak St gần 5th St", .intersection, "Oak St & 5th St"),
        ("حفرة في شارع Oak St قرب 5th St", .intersection, "Oak St & 5th St"),
    ])
    func finds(_ text: String, _ kind: Location.Kind, _ expected: String) {
        #expect(extractor.extract(from: text) != nil, "\(text)")
        let found = extractor.extract(from: text)
        #expect(found?.kind == kind, "\(text)")
        #expect(found?.text == expected, "\(text)")
    }

    @Test(arguments: [
        "Hay un bache enorme en la calle Oak", "la señal de alto está caída", "tengo 2 bolsas de basura y 3 sillas",
        "路灯坏了", "我有2个问题", "la casa de mis padres y mis tíos", "Đèn đường không sáng", "có 3 cái ổ gà", "حفرة كبيرة", "لدي 2 أكياس",
    ])
    func inventsNothing(_ text: String) {
        #expect(extractor.extract(from: text) == nil, "\(text)")
    }

    @Test(arguments: ["No sé", "no lo sé", "不知道", "không biết", "لا أعرف", "Sí"])
    func nonAnswersAreNotPlaces(_ text: String) {
        #expect(extractor.parseAnswer(text) == nil)
    }

    @Test(arguments: [("Calle Oak, frente a la biblioteca", "Calle Oak, frente a la biblioteca"), ("橡树街", "橡树街")])
    func plainAnswersAreDescriptions(_ text: String, _ expected: String) {
        #expect(extractor.parseAnswer(text) == Location(kind: .description, text: expected))
    }
}
