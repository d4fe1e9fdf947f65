extension Optional where Wrapped: Collection {
    /// FHIR forbids empty arrays: an empty collection becomes nil.
    public var nonEmpty: Wrapped? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
    }
}
