/// Failures of a store that callers answer differently from an internal error.
public enum StoreError: Error, Hashable {
    /// Another writer held the store past the bounded wait; the caller should ask the client to retry.
    case busy
    /// The state an access decision was made on changed before the data was read; decide again.
    case stateChanged
    /// The database cannot be reached (connection lost, server down or shutting down, timed out); the node reconnects on its own.
    case unavailable
}
