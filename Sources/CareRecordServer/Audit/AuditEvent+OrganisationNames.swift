import FHIR

extension AuditEvent {
    /// The event with each agent that is an organisation (by ODS code) named, as `who.display`, when `names` knows it:
    /// a patient reading who looked at their record sees "Hoole Road Surgery", not only "A81001".
    func namingOrganisations(_ names: [String: String]) -> AuditEvent {
        var event = self
        for index in event.agent.indices {
            guard let identifier = event.agent[index].who?.identifier, identifier.system == FHIRSystems.odsOrganisation,
                let ods = identifier.value, let name = names[ods]
            else { continue }
            event.agent[index].who?.display = name
        }
        return event
    }
}
