/// What an Open311 status means here: GeoReport v2's `open`/`closed`, mySociety's extended statuses (`FIXED`,
/// `ACTION_SCHEDULED`, `NOT_RESPONSIBLE` …) and our own (`in_progress`, `acknowledged`), in any case. Shared by the
/// server (updates POSTed to us) and the client (updates fetched from a department's system).
public enum Open311Status {
    public static let known: [String: (status: TicketStatus, resolution: String?)] = [
        "OPEN": (.open, nil), "ACKNOWLEDGED": (.acknowledged, nil), "INVESTIGATING": (.inProgress, nil), "IN_PROGRESS": (.inProgress, nil),
        "ACTION_SCHEDULED": (.inProgress, nil), "FIXED": (.closed, "fixed"), "CLOSED": (.closed, nil),
        "DUPLICATE": (.closed, "duplicate"), "NOT_RESPONSIBLE": (.closed, "not_ours"), "NOT_COUNCILS_RESPONSIBILITY": (.closed, "not_ours"),
        "NO_FURTHER_ACTION": (.closed, "no_further_action"), "UNABLE_TO_FIX": (.closed, "unable_to_fix"),
        "INTERNAL_REFERRAL": (.closed, "referred"), "REOPENED": (.open, nil),
    ]

    public static func read(_ raw: String) -> (status: TicketStatus, resolution: String?)? {
        known[raw.uppercased().replacingOccurrences(of: " ", with: "_")]
    }
}
