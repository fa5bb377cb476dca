/// Waits (polling every 100 ms, up to 30 s) until `condition` holds; false if it never did. For what another task
/// writes after the step a test can observe: a dispatcher records a provider's message id only after the send
/// the fake API has already seen.
public func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<300 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
