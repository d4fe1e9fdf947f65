/// The elements a recorded `Consent` may carry, level by level: anything else is refused rather than silently dropped.
enum ConsentElements {
    static let consent: Set<String> = [
        "resourceType", "id", "meta", "identifier", "status", "scope", "category", "patient", "dateTime", "performer",
        "organization", "policyRule", "provision",
    ]
    static let provision: Set<String> = ["type", "period", "actor", "action"]
    static let actor: Set<String> = ["role", "reference"]

    /// The path of the first element not allowed where it stands, or nil.
    static func unknownElement(in document: [String: Any]) -> String? {
        if let key = document.keys.sorted().first(where: { !consent.contains($0) }) { return "Consent.\(key)" }
        guard let provisionValue = document["provision"] else { return nil }
        guard let provision = provisionValue as? [String: Any] else { return "Consent.provision" }
        if let key = provision.keys.sorted().first(where: { !self.provision.contains($0) }) { return "Consent.provision.\(key)" }
        for actor in provision["actor"] as? [[String: Any]] ?? [] {
            if let key = actor.keys.sorted().first(where: { !self.actor.contains($0) }) { return "Consent.provision.actor.\(key)" }
        }
        return nil
    }
}
