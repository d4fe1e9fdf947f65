import CareRecordStore
import FHIR
import Foundation
import Testing

@Suite("Sharing decisions and care relationships")
struct PatientStateTests {
    let nhs = NHSNumber("9434765919")!
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func decision(_ kind: SharingDecision.Kind, by ods: String, daysAgo: Double, source: String? = "gp", actor: String? = nil, end: Date? = nil, sequence: Int64 = 0) -> SharingDecision {
        SharingDecision(
            id: UUID().uuidString, kind: kind, recordedAt: now.addingTimeInterval(-daysAgo * 86_400), recordedByOds: ods, sourceId: source,
            actorSub: actor, periodEnd: end, sequence: sequence)
    }

    func state(_ decisions: [SharingDecision], practice: String? = "A81001", episodes: [CareEpisode] = []) -> PatientState {
        PatientState(nhsNumber: nhs, registeredPractice: practice, episodes: episodes, decisions: decisions, hasDemographics: true)
    }

    @Test("the latest decision of the registered practice wins")
    func latestWins() {
        #expect(state([decision(.blocked, by: "A81001", daysAgo: 10), decision(.consentToView, by: "A81001", daysAgo: 5)]).restriction == .none)
        #expect(state([decision(.consentToView, by: "A81001", daysAgo: 10), decision(.blocked, by: "A81001", daysAgo: 5)]).restriction == .blocked)
        #expect(state([decision(.blocked, by: "A81001", daysAgo: 10), decision(.optedOut, by: "A81001", daysAgo: 1)]).restriction == .optedOut)
    }

    @Test("ties on recordedAt are broken by insertion order")
    func ties() {
        let a = decision(.blocked, by: "A81001", daysAgo: 1, sequence: 1)
        let b = decision(.consentToView, by: "A81001", daysAgo: 1, sequence: 2)
        #expect(state([b, a]).restriction == .none)
    }

    @Test("decisions of another organisation are not honoured")
    func otherOrganisation() {
        #expect(state([decision(.optedOut, by: "RJR", daysAgo: 1)]).restriction == .none)
        #expect(state([decision(.optedOut, by: "A81001", daysAgo: 1)], practice: "A81002").restriction == .none)
        #expect(state([decision(.optedOut, by: "A81001", daysAgo: 1)], practice: nil).restriction == .none)
    }

    @Test("a 24-hour consent neither lifts a block nor counts as permanent")
    func shortConsentDoesNotLift() {
        let block = decision(.blocked, by: "A81001", daysAgo: 2)
        let short = decision(.consentToView, by: "A81001", daysAgo: 0.1, source: nil, actor: "dr.x", end: now.addingTimeInterval(3600))
        #expect(state([block, short]).restriction == .blocked)
        #expect(!short.isPermanentConsent)
    }

    @Test("consents in force: periods, and upstream ones only from the registered practice")
    func consentsInForce() {
        let permanent = decision(.consentToView, by: "A81001", daysAgo: 30)
        let expired = decision(.consentToView, by: "RJR", daysAgo: 2, source: nil, actor: "dr.x", end: now.addingTimeInterval(-60))
        let running = decision(.consentToView, by: "RJR", daysAgo: 0.5, source: nil, actor: "dr.y", end: now.addingTimeInterval(60))
        let foreignUpstream = decision(.consentToView, by: "RJR", daysAgo: 1, source: "acute")
        let inForce = state([permanent, expired, running, foreignUpstream]).consentsInForce(at: now)
        #expect(Set(inForce.map(\.id)) == [permanent.id, running.id])
    }

    @Test("a care relationship is the registered practice or an active episode covering now")
    func careRelationship() {
        let episodes = [
            CareEpisode(id: "1", ods: "RJR", status: "active", start: now.addingTimeInterval(-86_400), end: nil, sourceId: "acute"),
            CareEpisode(id: "2", ods: "RXA", status: "finished", start: nil, end: nil, sourceId: "community"),
            CareEpisode(id: "3", ods: "CH01", status: "active", start: nil, end: now.addingTimeInterval(-1), sourceId: "social"),
            CareEpisode(id: "4", ods: "H1001", status: "active", start: now.addingTimeInterval(60), end: nil, sourceId: "hospice"),
        ]
        let patient = state([], episodes: episodes)
        #expect(patient.hasCareRelationship(ods: "A81001", at: now))
        #expect(patient.hasCareRelationship(ods: "RJR", at: now))
        #expect(!patient.hasCareRelationship(ods: "RXA", at: now))
        #expect(!patient.hasCareRelationship(ods: "CH01", at: now))
        #expect(!patient.hasCareRelationship(ods: "H1001", at: now))
        #expect(!patient.hasCareRelationship(ods: "A81002", at: now))
    }
}
