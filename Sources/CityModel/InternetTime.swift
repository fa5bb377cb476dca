import Foundation

/// RFC 3339 times as APIs send them (`2026-11-23T10:00:00-06:00`, `2026-11-23T16:00:00.250Z`): with an offset,
/// with or without fractional seconds. Every place that reads one from outside uses this.
public enum InternetTime {
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
