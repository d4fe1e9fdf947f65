import FHIR

extension SharingDecision.Kind {
    /// deny + collect = opted out; deny + access = blocked; permit + access = consent to view (C3); anything else is nil.
    public init?(provision: Consent.Provision?) {
        guard let provision else { return nil }
        let actions = provision.action ?? []
        func has(_ code: String) -> Bool { actions.contains { $0.contains(system: FHIRSystems.consentAction, code: code) } }
        switch provision.type {
        case "deny" where has("collect"): self = .optedOut
        case "deny" where has("access"): self = .blocked
        case "permit" where has("access"): self = .consentToView
        default: return nil
        }
    }
}
