import FHIR
import Foundation

/// One synthetic patient: demographics, sharing state and what each source knows of them.
struct SyntheticPatient {
    enum Sharing { case none, consent, blocked, optedOut, liftedBlock }

    let index: Int
    let nhs: NHSNumber
    let practice: RegionCatalogue.Organisation
    let sharing: Sharing
    let demographics: Patient
    /// Resolved past problems added to the GP record (`generate --history`).
    let history: Int

    init(index: Int, nhsNumber: NHSNumber, random: inout SeededGenerator, history: Int = 0) {
        self.index = index
        self.history = history
        nhs = nhsNumber
        practice = RegionCatalogue.practices[index % RegionCatalogue.practices.count]
        let roll = Double.random(in: 0..<1, using: &random)
        sharing = roll < 0.04 ? .optedOut : roll < 0.08 ? .blocked : roll < 0.10 ? .liftedBlock : roll < 0.45 ? .consent : .none
        var patient = Patient(id: "pat-\(index)", identifier: [nhsNumber.identifier])
        let female = random.chance(0.5)
        patient.gender = female ? "female" : "male"
        patient.name = [HumanName(use: "official", family: random.pick(RegionCatalogue.familyNames), given: [random.pick(RegionCatalogue.givenNames)])]
        let year = Int.random(in: 1930...2020, using: &random)
        patient.birthDate = String(format: "%04d-%02d-%02d", year, Int.random(in: 1...12, using: &random), Int.random(in: 1...28, using: &random))
        patient.address = [Address(
            use: "home", line: ["\(Int.random(in: 1...180, using: &random)) \(random.pick(RegionCatalogue.streets))"], city: "Chester",
            postalCode: "CH\(Int.random(in: 1...4, using: &random)) \(Int.random(in: 1...9, using: &random))\(["AB", "DE", "HJ", "PQ"][index % 4])",
            country: "GB")]
        patient.telecom = [ContactPoint(system: "phone", value: String(format: "01244 %06d", index % 1_000_000), use: "home")]
        patient.generalPractitioner = [Reference(
            type: "Organization", identifier: Identifier(system: FHIRSystems.odsOrganisation, value: practice.ods), display: practice.name)]
        patient.meta = Meta(lastUpdated: "2026-11-2\(index % 4)T08:30:00Z")
        demographics = patient
    }

    /// A literal reference into the same export.
    var subject: Reference { Reference(reference: "Patient/pat-\(index)") }
    /// A logical reference by NHS number, for sources that send no Patient resources.
    var logicalSubject: Reference { Reference(identifier: nhs.identifier) }

    mutating func write(to exports: [String: SourceExportWriter], random: inout SeededGenerator, summary: inout RegionSummary) throws {
        summary.patients += 1
        try writeGP(exports[practice.sourceID]!, random: &random, summary: &summary)
        let hospitalActive: Bool? = random.chance(0.45) ? random.chance(0.6) : nil
        if let hospitalActive {
            try writeHospital(exports[RegionCatalogue.hospital.sourceID]!, active: hospitalActive, random: &random)
        }
        if random.chance(0.2) {
            try writeCommunity(exports[RegionCatalogue.community.sourceID]!, random: &random)
        }
        if random.chance(0.12) {
            let social = exports[RegionCatalogue.socialCare.sourceID]!
            try social.write(demographics)
            try social.write(episode(RegionCatalogue.socialCare, id: "soc-ep-\(index)", active: random.chance(0.8)))
        }
        if index % 50 == 7 {
            try writeInvalidHospitalPatient(exports[RegionCatalogue.hospital.sourceID]!)
            summary.invalidNHSNumbers += 1
        }
        record(in: &summary, hospitalActive: hospitalActive)
    }

    private func writeGP(_ export: SourceExportWriter, random: inout SeededGenerator, summary: inout RegionSummary) throws {
        try export.write(demographics)
        for (k, code) in pickCodes(RegionCatalogue.conditions, count: Int.random(in: 1...3, using: &random), random: &random).enumerated() {
            try export.write(condition(id: "gp-cond-\(index)-\(k)", code: code, category: "problem-list-item", onset: 2000 + (index + k) % 25))
        }
        for (k, code) in pickCodes(RegionCatalogue.allergens, count: Int.random(in: 0...2, using: &random), random: &random).enumerated() {
            var allergy = AllergyIntolerance(patient: subject, code: CodeableConcept(system: FHIRSystems.snomed, code: code.code, display: code.display))
            allergy.id = "gp-allergy-\(index)-\(k)"
            allergy.clinicalStatus = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active")
            allergy.verificationStatus = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", code: "confirmed")
            allergy.type = "allergy"
            allergy.category = ["medication"]
            allergy.criticality = k == 0 ? "high" : "low"
            allergy.recordedDate = "20\(10 + index % 15)-0\(1 + k)-15"
            let reaction = random.pick(RegionCatalogue.reactions)
            allergy.reaction = [.init(manifestation: [CodeableConcept(system: FHIRSystems.snomed, code: reaction.code, display: reaction.display)], severity: k == 0 ? "severe" : "mild")]
            allergy.meta = Meta(lastUpdated: "2026-10-01T09:00:00Z")
            try export.write(allergy)
        }
        for k in 0..<history {
            let code = RegionCatalogue.conditions[(index + k) % RegionCatalogue.conditions.count]
            var past = condition(id: "gp-hist-\(index)-\(k)", code: code, category: "problem-list-item", onset: 1990 + k % 30)
            past.clinicalStatus = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "resolved")
            try export.write(past)
        }
        let medicationCount = Int.random(in: 0...4, using: &random)
        for k in 0..<medicationCount {
            let medication = RegionCatalogue.medications[(index + k * 3) % RegionCatalogue.medications.count]
            var statement = MedicationStatement(
                status: "active", medication: CodeableConcept(system: FHIRSystems.dmd, code: medication.code, display: medication.display), subject: subject)
            statement.id = "gp-med-\(index)-\(k)"
            statement.effectivePeriod = Period(start: "2025-0\(1 + k)-01")
            statement.dateAsserted = "2026-11-0\(1 + k)"
            statement.dosage = [Dosage(text: medication.dose)]
            statement.meta = Meta(lastUpdated: "2026-11-0\(1 + k)T10:00:00Z")
            try export.write(statement)
        }
        switch sharing {
        case .none: break
        case .consent:
            summary.withConsent += 1
            try export.write(consent(id: "consent-\(index)", type: "permit", action: "access", date: "2025-06-01T10:00:00Z"))
        case .blocked:
            summary.blocked += 1
            try export.write(consent(id: "block-\(index)", type: "deny", action: "access", date: "2025-03-01T10:00:00Z"))
        case .optedOut:
            summary.optedOut += 1
            try export.write(consent(id: "optout-\(index)", type: "deny", action: "collect", date: "2024-09-01T10:00:00Z"))
        case .liftedBlock:
            summary.withConsent += 1
            try export.write(consent(id: "block-\(index)", type: "deny", action: "access", date: "2024-02-01T10:00:00Z"))
            try export.write(consent(id: "lift-\(index)", type: "permit", action: "access", date: "2025-08-01T10:00:00Z"))
        }
    }

    private func writeHospital(_ export: SourceExportWriter, active: Bool, random: inout SeededGenerator) throws {
        try export.write(demographics)
        try export.write(episode(RegionCatalogue.hospital, id: "rjr-ep-\(index)", active: active))
        let diagnosis = random.pick(RegionCatalogue.hospitalDiagnoses)
        try export.write(condition(id: "rjr-dx-\(index)", code: diagnosis, category: "encounter-diagnosis", onset: 2024 + index % 3))
        if index % 40 == 3 {
            // A hospital may not record sharing decisions: this one must be ignored and counted.
            try export.write(consent(id: "rjr-consent-\(index)", type: "deny", action: "access", date: "2026-01-01T10:00:00Z"))
        }
    }

    private func writeCommunity(_ export: SourceExportWriter, random: inout SeededGenerator) throws {
        var communityEpisode = episode(RegionCatalogue.community, id: "rxa-ep-\(index)", active: random.chance(0.7))
        communityEpisode.patient = logicalSubject
        try export.write(communityEpisode)
        if random.chance(0.6) {
            var problem = condition(id: "rxa-prob-\(index)", code: random.pick(RegionCatalogue.communityProblems), category: "problem-list-item", onset: 2023)
            problem.subject = logicalSubject
            try export.write(problem)
        }
    }

    /// A hospital record whose NHS number fails the Modulus 11 check, with an entry that must be rejected with it.
    private func writeInvalidHospitalPatient(_ export: SourceExportWriter) throws {
        var broken = demographics
        broken.id = "bad-pat-\(index)"
        let digits = nhs.value
        let wrongCheck = (Int(String(digits.last!))! + 1) % 10
        broken.identifier = [Identifier(system: NHSNumber.system, value: String(digits.dropLast()) + String(wrongCheck))]
        try export.write(broken)
        var entry = condition(id: "bad-dx-\(index)", code: RegionCatalogue.hospitalDiagnoses[0], category: "encounter-diagnosis", onset: 2026)
        entry.subject = Reference(reference: "Patient/bad-pat-\(index)")
        try export.write(entry)
    }

    private func condition(id: String, code: RegionCatalogue.Code, category: String, onset: Int) -> Condition {
        var condition = Condition(subject: subject, code: CodeableConcept(system: FHIRSystems.snomed, code: code.code, display: code.display))
        condition.id = id
        condition.clinicalStatus = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active")
        condition.verificationStatus = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: "confirmed")
        condition.category = [CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/condition-category", code: category)]
        condition.onsetDateTime = "\(onset)-0\(1 + index % 9)-1\(index % 10)"
        condition.recordedDate = condition.onsetDateTime
        condition.meta = Meta(lastUpdated: "2026-11-1\(index % 10)T12:00:00Z")
        return condition
    }

    private func episode(_ organisation: RegionCatalogue.Organisation, id: String, active: Bool) -> EpisodeOfCare {
        var episode = EpisodeOfCare(
            status: active ? "active" : "finished", patient: subject,
            managingOrganization: Reference(identifier: Identifier(system: FHIRSystems.odsOrganisation, value: organisation.ods), display: organisation.name),
            period: active ? Period(start: "2026-0\(1 + index % 9)-01") : Period(start: "2024-02-01", end: "2025-03-31"))
        episode.id = id
        return episode
    }

    private func consent(id: String, type: String, action: String, date: String) -> Consent {
        var consent = Consent(
            status: "active", scope: CodeableConcept(system: FHIRSystems.consentScope, code: "patient-privacy"),
            category: [CodeableConcept(system: "http://loinc.org", code: "59284-0", display: "Patient Consent")], patient: subject)
        consent.id = id
        consent.dateTime = date
        consent.policyRule = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: type == "permit" ? "OPTIN" : "OPTOUT")
        consent.provision = Consent.Provision(type: type, action: [CodeableConcept(system: FHIRSystems.consentAction, code: action)])
        return consent
    }

    private func pickCodes(_ codes: [RegionCatalogue.Code], count: Int, random: inout SeededGenerator) -> [RegionCatalogue.Code] {
        Array(codes.shuffled(using: &random).prefix(count))
    }

    private func record(in summary: inout RegionSummary, hospitalActive: Bool?) {
        if practice.ods == "A81001", sharing == .consent, summary.registeredAtA81001 == nil { summary.registeredAtA81001 = nhs.value }
        switch (hospitalActive, sharing) {
        case (true?, .consent): if summary.hospitalActiveWithConsent == nil { summary.hospitalActiveWithConsent = nhs.value }
        case (true?, .none): if summary.hospitalActiveWithoutConsent == nil { summary.hospitalActiveWithoutConsent = nhs.value }
        case (true?, .optedOut): if summary.hospitalOptedOut == nil { summary.hospitalOptedOut = nhs.value }
        case (true?, .blocked): if summary.hospitalBlocked == nil { summary.hospitalBlocked = nhs.value }
        case (false?, .none): if summary.hospitalEndedEpisode == nil { summary.hospitalEndedEpisode = nhs.value }
        case (nil, _): if summary.notKnownToHospital == nil { summary.notKnownToHospital = nhs.value }
        default: break
        }
    }
}
