/// What residents call languages, folded, so "LANGUAGE spanish", "idioma español", "语言 中文" or "ngôn ngữ
/// tiếng việt" all choose one. Keyed by ISO 639-1 code; the city's own endonyms (from `Locales/`) count too.
public enum LanguageNames {
    public static let aliases: [String: [String]] = [
        "en": ["english", "ingles", "英文", "英语", "英語", "tieng anh", "انجليزي", "الانجليزيه", "انجليزيه"],
        "es": ["spanish", "espanol", "castellano", "西班牙语", "西班牙文", "tieng tay ban nha", "اسباني", "الاسبانيه"],
        "zh": ["chinese", "mandarin", "chino", "mandarin", "中文", "汉语", "漢語", "普通话", "国语", "tieng trung",
               "tieng hoa", "صيني", "الصينيه"],
        "vi": ["vietnamese", "vietnamita", "tieng viet", "越南语", "越南文", "فيتنامي", "الفيتناميه"],
        "ar": ["arabic", "arabe", "عربي", "العربيه", "阿拉伯语", "阿拉伯文", "tieng a rap", "tieng arap"],
        "fr": ["french", "frances", "francais"],
        "ko": ["korean", "coreano", "한국어"],
        "tl": ["tagalog", "filipino"],
        "ht": ["haitian creole", "kreyol", "creole"],
        "ru": ["russian", "ruso", "русский"],
        "pt": ["portuguese", "portugues"],
    ]
}
