/// A problem that stops CityLine from starting (an invalid setting, a missing secret, a port in use), with a
/// message to show as is: it names the flag, variable or file at fault. The command line prints it and exits 1.
public struct AppError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
