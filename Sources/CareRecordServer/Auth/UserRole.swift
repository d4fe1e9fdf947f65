/// The roles a token may carry (C4).
public enum UserRole: String, Sendable, Hashable, CaseIterable {
    case doctor
    case nurse
    case socialWorker = "social-worker"
    case pharmacist
    case alliedHealthProfessional = "allied-health-professional"
    case admin
    case privacyOfficer = "privacy-officer"
    case patient

    /// Clinical roles may view clinical data (with a registration number).
    public var isClinical: Bool {
        switch self {
        case .doctor, .nurse, .socialWorker, .pharmacist, .alliedHealthProfessional: true
        case .admin, .privacyOfficer, .patient: false
        }
    }
}
