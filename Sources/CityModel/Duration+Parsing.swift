import Foundation

/// Parses the short durations used in configuration: `0s`, `90s`, `15m`, `2h`, `3d`, `1w`, `1h30m`.
public enum ShortDuration {
    /// Seconds for `text`, or nil when it is not a short duration.
    public static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        var total = 0
        var number = ""
        for char in trimmed {
            if char.isASCII, char.isNumber {
                number.append(char)
            } else {
                guard let value = Int(number) else { return nil }
                let unit: Int
                switch char {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                case "d": unit = 86_400
                case "w": unit = 604_800
                default: return nil
                }
                total += value * unit
                number = ""
            }
        }
        return number.isEmpty ? total : nil
    }

    /// The shortest readable form: 90 → `1m30s`, 86400 → `1d`.
    public static func format(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}

