import Foundation

/// Capped exponential backoff, shared by the scheduler (jobs) and the dispatcher (outbox entries): the wait after
/// attempt n is min(base · 2^(n-1), cap).
enum Backoff {
    static func delay(afterAttempt attempt: Int, base: TimeInterval, cap: TimeInterval) -> TimeInterval {
        min(base * pow(2, Double(attempt - 1)), cap)
    }
}
