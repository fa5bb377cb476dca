/// The words around an address in the five launch languages that are not part of it — lead-ins ("in front of",
/// "frente a", "gần", "在…前面", "أمام"), street-type words ("calle", "đường", "街", "شارع"), number words
/// ("número", "số", "号", "رقم") — and the words that join two streets into a corner or mark a unit. All folded
/// (lower case, no accents; one word per Chinese character; Arabic hamza and ta marbuta normalized).
enum Vocabulary {
    static let noise: Set<String> = [
        // English
        "in", "front", "of", "across", "from", "near", "nearby", "next", "to", "by", "on", "the", "corner", "outside",
        "behind", "opposite", "between", "around", "intersection", "right", "just", "past", "it's", "its", "is", "there",
        "here", "located", "location", "address", "a", "an",
        // Spanish
        "frente", "enfrente", "al", "la", "el", "los", "las", "de", "del", "en", "cerca", "esquina", "cruce", "interseccion",
        "entre", "junto", "calle", "numero", "num", "no", "delante", "detras", "afuera", "por", "casa", "esta", "hay",
        // Vietnamese
        "duong", "pho", "so", "goc", "gan", "truoc", "o", "tai", "ngay", "doi", "dien", "nga", "tu", "khu", "nha", "cua",
        "mat", "canh", "ben", "sau", "phia", "tren",
        // Chinese (one character a word)
        "在", "的", "街", "路", "号", "號", "口", "交", "叉", "十", "字", "附", "近", "前", "面", "对", "對", "旁", "边", "邊",
        "拐", "角", "门", "門", "大", "道", "巷", "处", "處", "这", "里", "裡",
        // Arabic
        "شارع", "طريق", "رقم", "تقاطع", "امام", "قرب", "بالقرب", "من", "عند", "بين", "زاويه", "في", "على", "مقابل",
        "جانب", "بجانب", "منزل", "بيت", "الشارع", "زاوية",
    ]

    /// Words that make two streets one corner. "&" and "/" are read as "and", "@" as "at".
    static let connectors: Set<String> = ["and", "y", "con", "va", "voi", "和", "与", "與", "跟", "及", "و", "مع", "at"]

    /// Words before a number that make it a street's ("calle 38", "đường số 15" (số after đường), "第59街", "شارع 5").
    static let numberedStreet: Set<String> = ["calle", "avenida", "av", "carrera", "duong", "pho", "第", "شارع"]

    /// Words after which comes a unit ("Apt 2", "Unit B", "#2B" after a house number).
    static let units: Set<String> = [
        "apt", "apartment", "unit", "suite", "ste", "room", "rm", "fl", "floor", "bldg", "apto", "apartamento", "depto",
        "departamento", "piso", "interior", "int", "phong", "can", "ho", "شقه", "室", "单", "元", "楼", "樓",
    ]

    /// Words that say "the N block of".
    static let block: Set<String> = ["block", "cuadra", "bloque", "cuadras"]

    /// Street-type words in other languages that tell the suffix: "avenida Oak" is Oak Ave.
    static let suffixHints: [String: String] = ["avenida": "Ave", "avda": "Ave", "bulevar": "Blvd", "camino": "Rd", "carretera": "Hwy"]
}
