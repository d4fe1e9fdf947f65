/// A fault the simulator injects into one source's export.
public enum SimulatorFault: Sendable, Hashable {
    /// Every answer waits this many seconds.
    case slow(seconds: Double)
    /// The kick-off answers 500 Internal Server Error.
    case serverError
    /// Each output file is cut off in the middle of a line.
    case truncatedFile
    /// A line that is not JSON is inserted into each output file.
    case malformedLine
    /// The kick-off redirects to plain http.
    case redirectToHTTP
    /// The export never completes: every poll answers 202.
    case neverCompletes
}
