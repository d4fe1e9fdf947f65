extension DecodingError {
    /// What went wrong and where, without any of the data being decoded (safe to log and to show a client).
    public var summary: String {
        func path(_ context: Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "(root)" : path
        }
        switch self {
        case .dataCorrupted(let context): return "not valid JSON or FHIR at \(path(context))"
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context))"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        @unknown default: return "undecodable"
        }
    }
}
