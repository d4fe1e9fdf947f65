import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Testing
@testable import CareRecordServer

/// A table-driven test of the pure access decision (`AccessPolicy.decide`) over the product of
/// role × organisation × relationship × sharing state × emergency × interaction.
///
/// The expected answers come from `oracle(_:)`, written from the contract text (C4, C5, C6, with C3 for
/// which sharing decisions count) and from the team's decisions where the contract is silent. It is an
/// independent oracle: it does not look at `AccessPolicy`'s code, and it does not even read the
/// `SharingDecision`s it hands to the policy: each sharing state is described twice, once as the data an
/// upstream feed or the API would store (`decisions(...)`) and once as what the contract says that data
/// means (`meaning`), and only the meaning is used to compute the expected answer.
///
/// Team decisions encoded here (the contract is silent on them):
/// - D1 The registered GP practice also needs consent (or an override) to view: C5 applies to every clinical role.
/// - D2 Role `patient`: own record allowed (`.ownRecord`) unless opted out; a block does not stop the patient;
///   someone else's NHS number → ROLE_NOT_PERMITTED; own NHS number never seen → PATIENT_NOT_FOUND; patients
///   cannot record decisions; own audit → `.ownRecord` always (unknown or opted out too).
/// - D3 `admin` and `privacy-officer` reading clinical data → ROLE_NOT_PERMITTED; privacy officer reading audit →
///   `.privacyOfficer` for any NHS number (scope is filtered in the query); admin and clinical roles reading audit →
///   ROLE_NOT_PERMITTED.
/// - D4 Order: participation (every role, every interaction), role, relationship (404, also for unknown patients;
///   an emergency override replaces a missing relationship for reads, but an unknown patient is still 404),
///   opted out / blocked (never overridable), consent, override, else CONSENT_REQUIRED. A consent in force wins
///   over an override.
/// - D5 A clinical role without `registration` → ROLE_NOT_PERMITTED.
/// - D6 Recording: clinical role with registration and a care relationship (no override; else 404); blocked /
///   opted out only by the registered practice (else ROLE_NOT_PERMITTED); consent to view by any related
///   clinician while the record is neither blocked nor opted out; on a blocked or opted-out record a consent
///   lifts it, so only the registered practice may, and only a permanent one (others → ROLE_NOT_PERMITTED,
///   practice with a 24-hour one → 422 INVALID_RESOURCE).
/// - D7 An expired 24-hour consent, or one naming another user, does not allow; a 24-hour consent never lifts a block.
///
/// Assumptions of this oracle beyond D1–D7 (each is argued from the contract text where it is applied):
/// - A1 "A consent in force wins over an override" applies to a consent that *serves* the user. C5 step 5:
///   "Permanent consent serves every professional with a care relationship"; a user who has no care relationship
///   only got past step 3 through the emergency override, so their basis is `.emergencyOverride`, which C5 step 6
///   says is "audited as an emergency override for review". A consent must not hide an unrelated BTG access from review.
/// - A2 A permanent consent to view recorded through the API by any related clinician (C6, not only the practice)
///   serves every professional with a care relationship. Only blocks and opt-outs are restricted to the practice (C3, C6).
/// - A3 A patient sending BTG with a reason about their own record: the override is for clinical roles only and
///   is not needed; the answer is the same as without it (`.ownRecord`, or opted out).
/// - A4 Recording: "only the registered practice" is checked after the care relationship (404 first), as D6 lists it;
///   both orders leak nothing, since the practice always has a relationship.
///
/// Not in this matrix: `X-Purpose-Of-Use: BTG` without a (non-empty) `X-Access-Reason`. That request never reaches
/// `decide`: the HTTP layer answers 400 INVALID_PARAMETER first, so the pure function has no answer to check for it
/// (`emergencyReason` is either nil or a non-empty reason here). The HTTP behaviour is out of scope for this file.
@Suite("Access decision matrix: the contract (C4–C6) as an independent oracle")
struct AccessPolicyMatrixTests {
    // MARK: Fixed world

    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    /// The patient's registered GP practice (participating).
    static let practice = "A81001"
    /// A hospital (participating).
    static let hospital = "RJR"
    /// Another participating organisation, whose active episode never gives anyone else a relationship.
    static let socialCare = "CH01"
    /// An organisation that has not signed the data sharing agreement.
    static let outsider = "X99999"
    static let participating: Set<String> = [practice, hospital, socialCare]

    /// The patient every cell asks about.
    static let target = NHSNumber("9434765919")!
    /// Another patient's NHS number (for a patient user asking about someone else).
    static let someoneElse = NHSNumber("4010232137")!
    static let reason = "Unconscious in ED, no one to ask"

    static let policy = AccessPolicy(participating: participating)

    // MARK: Dimensions

    /// Who is asking.
    enum Who: String, CaseIterable {
        case doctor, nurse, socialWorker, pharmacist, alliedHealthProfessional
        /// Clinical roles whose token carries no `registration` (C4, D5).
        case doctorWithoutRegistration, nurseWithoutRegistration
        case admin, privacyOfficer
        /// Role `patient` asking about their own NHS number.
        case patientSelf
        /// Role `patient` asking about someone else's NHS number.
        case patientOther

        var role: UserRole {
            switch self {
            case .doctor, .doctorWithoutRegistration: .doctor
            case .nurse, .nurseWithoutRegistration: .nurse
            case .socialWorker: .socialWorker
            case .pharmacist: .pharmacist
            case .alliedHealthProfessional: .alliedHealthProfessional
            case .admin: .admin
            case .privacyOfficer: .privacyOfficer
            case .patientSelf, .patientOther: .patient
            }
        }

        var registration: String? {
            switch self {
            case .doctor, .nurse, .socialWorker, .pharmacist, .alliedHealthProfessional: "REG-\(rawValue)"
            default: nil
            }
        }

        var nhsNumber: NHSNumber? {
            switch self {
            case .patientSelf: AccessPolicyMatrixTests.target
            case .patientOther: AccessPolicyMatrixTests.someoneElse
            default: nil
            }
        }
    }

    /// The relationship between the user's organisation and the patient.
    enum Relationship: String, CaseIterable {
        /// The user's organisation is the patient's registered GP practice.
        case registeredPractice
        /// An `active` episode with no end, started ten days ago.
        case activeEpisode
        /// A `finished` episode that ended ten days ago.
        case finishedEpisode
        /// Status still `active`, but its period ended yesterday: not a relationship (C3: "a period that covers now").
        case activeStatusPeriodOver
        /// No relationship (another organisation, CH01, has an active episode).
        case none
        /// An NHS number the service has never seen (`patient` nil).
        case unknownPatient
    }

    /// The patient's sharing decisions.
    enum Sharing: String, CaseIterable {
        case none
        /// A permanent consent to view from the practice's feed.
        case permanentConsentFromPractice
        /// A permanent consent to view recorded through the API by a hospital clinician (C6: "any clinical user").
        case permanentConsentFromHospital
        /// A 24-hour consent naming this user, in force now.
        case shortTermConsentForUser
        /// A 24-hour consent in force now, naming another professional.
        case shortTermConsentForAnother
        /// A 24-hour consent naming this user that ended six hours ago.
        case shortTermConsentExpired
        /// Blocked by the practice's feed.
        case blocked
        /// Opted out by the practice's feed.
        case optedOut
        /// Blocked by the practice's feed, then lifted through the API by a practice clinician (a newer permanent permit).
        case blockedThenLiftedByPractice
        /// Blocked by the practice's feed, then a newer 24-hour consent for this user (D7: never lifts a block).
        case blockedThenShortTermConsent
        /// A block from the hospital's feed: honoured only from the registered practice (C3), so it means nothing.
        case blockedByHospitalFeed
        /// A permanent consent, then a newer opt-out from the practice: the latest decision wins (C3).
        case consentThenOptedOut
    }

    enum Interaction: String, CaseIterable {
        case readRecord
        case readAudit
        case recordPermanentConsent
        case recordShortTermConsent
        case recordBlocked
        case recordOptedOut

        var value: PatientInteraction {
            switch self {
            case .readRecord: .readRecord
            case .readAudit: .readAudit
            case .recordPermanentConsent: .recordDecision(.consentToView, shortTerm: false)
            case .recordShortTermConsent: .recordDecision(.consentToView, shortTerm: true)
            case .recordBlocked: .recordDecision(.blocked, shortTerm: false)
            case .recordOptedOut: .recordDecision(.optedOut, shortTerm: false)
            }
        }
    }

    struct Cell: CustomStringConvertible {
        var who: Who
        var orgParticipates: Bool
        var relationship: Relationship
        var sharing: Sharing
        var emergency: Bool
        var interaction: Interaction

        /// The user's organisation follows from the organisation and relationship dimensions.
        var ods: String {
            if !orgParticipates { return AccessPolicyMatrixTests.outsider }
            return relationship == .registeredPractice ? AccessPolicyMatrixTests.practice : AccessPolicyMatrixTests.hospital
        }

        var sub: String { "\(who.rawValue)@\(ods)" }

        var description: String {
            "\(who.rawValue) at \(ods) (\(orgParticipates ? "participating" : "not participating")) | relationship \(relationship.rawValue) | sharing \(sharing.rawValue) | \(emergency ? "BTG with reason" : "no BTG") | \(interaction.rawValue)"
        }
    }

    /// Every cell of the matrix. An unknown patient has no sharing decisions, so it appears once, with sharing `.none`.
    static let cells: [Cell] = {
        var cells: [Cell] = []
        for who in Who.allCases {
            for orgParticipates in [true, false] {
                for relationship in Relationship.allCases {
                    for sharing in Sharing.allCases where relationship != .unknownPatient || sharing == .none {
                        for emergency in [false, true] {
                            for interaction in Interaction.allCases {
                                cells.append(Cell(
                                    who: who, orgParticipates: orgParticipates, relationship: relationship, sharing: sharing,
                                    emergency: emergency, interaction: interaction))
                            }
                        }
                    }
                }
            }
        }
        return cells
    }()

    // MARK: The request handed to the policy

    static func user(_ cell: Cell) -> AuthenticatedUser {
        AuthenticatedUser(
            sub: cell.sub, name: "Test \(cell.who.rawValue)", ods: cell.ods, role: cell.who.role,
            registration: cell.who.registration, nhsNumber: cell.who.nhsNumber)
    }

    static func patient(_ cell: Cell) -> PatientState? {
        if cell.relationship == .unknownPatient { return nil }
        // The registered practice is the user's organisation when the cell says so (for the outsider too, so that
        // the participation check is seen to come before everything), otherwise Hoole Road Surgery.
        let registered = cell.relationship == .registeredPractice ? cell.ods : practice
        var episodes = [
            CareEpisode(id: "ep-ch01", ods: socialCare, status: "active", start: now - 30 * day, end: nil, sourceId: "social-care")
        ]
        switch cell.relationship {
        case .activeEpisode:
            episodes.append(CareEpisode(id: "ep-user", ods: cell.ods, status: "active", start: now - 10 * day, end: nil, sourceId: "acute"))
        case .finishedEpisode:
            episodes.append(CareEpisode(id: "ep-user", ods: cell.ods, status: "finished", start: now - 100 * day, end: now - 10 * day, sourceId: "acute"))
        case .activeStatusPeriodOver:
            episodes.append(CareEpisode(id: "ep-user", ods: cell.ods, status: "active", start: now - 100 * day, end: now - day, sourceId: "acute"))
        case .registeredPractice, .none, .unknownPatient:
            break
        }
        let decisions = decisions(cell.sharing, registered: registered, userOds: cell.ods, userSub: cell.sub)
        return PatientState(
            nhsNumber: target, registeredPractice: registered, episodes: episodes, decisions: decisions,
            hasDemographics: !decisions.contains { $0.kind == .optedOut })
    }

    /// The stored data for a sharing state: upstream feed decisions (`sourceId` "gp-feed", recorded by the practice)
    /// and API decisions (`sourceId` nil, recorded by the user's organisation and `sub`).
    static func decisions(_ sharing: Sharing, registered: String, userOds: String, userSub: String) -> [SharingDecision] {
        func feed(_ kind: SharingDecision.Kind, daysAgo: Double, seq: Int64, ods: String? = nil, source: String = "gp-feed") -> SharingDecision {
            SharingDecision(
                id: "feed-\(seq)", kind: kind, recordedAt: now - daysAgo * day, recordedByOds: ods ?? registered, sourceId: source, sequence: seq)
        }
        func shortTerm(actor: String, recordedBy: String, start: Date, end: Date, seq: Int64) -> SharingDecision {
            SharingDecision(
                id: "api-\(seq)", kind: .consentToView, recordedAt: start, recordedByOds: userOds, sourceId: nil,
                recordedBySub: recordedBy, actorSub: actor, periodStart: start, periodEnd: end, sequence: seq)
        }
        switch sharing {
        case .none:
            return []
        case .permanentConsentFromPractice:
            return [feed(.consentToView, daysAgo: 30, seq: 1)]
        case .permanentConsentFromHospital:
            return [SharingDecision(
                id: "api-1", kind: .consentToView, recordedAt: now - 5 * day, recordedByOds: hospital, sourceId: nil,
                recordedBySub: "nurse@RJR", sequence: 1)]
        case .shortTermConsentForUser:
            return [shortTerm(actor: userSub, recordedBy: userSub, start: now - 2 * hour, end: now + 22 * hour, seq: 1)]
        case .shortTermConsentForAnother:
            return [shortTerm(actor: "someone-else@\(userOds)", recordedBy: "someone-else@\(userOds)", start: now - 2 * hour, end: now + 22 * hour, seq: 1)]
        case .shortTermConsentExpired:
            return [shortTerm(actor: userSub, recordedBy: userSub, start: now - 30 * hour, end: now - 6 * hour, seq: 1)]
        case .blocked:
            return [feed(.blocked, daysAgo: 60, seq: 1)]
        case .optedOut:
            return [feed(.optedOut, daysAgo: 60, seq: 1)]
        case .blockedThenLiftedByPractice:
            return [
                feed(.blocked, daysAgo: 60, seq: 1),
                SharingDecision(
                    id: "api-2", kind: .consentToView, recordedAt: now - day, recordedByOds: registered, sourceId: nil,
                    recordedBySub: "gp@\(registered)", sequence: 2),
            ]
        case .blockedThenShortTermConsent:
            return [
                feed(.blocked, daysAgo: 60, seq: 1),
                shortTerm(actor: userSub, recordedBy: userSub, start: now - hour, end: now + 23 * hour, seq: 2),
            ]
        case .blockedByHospitalFeed:
            return [feed(.blocked, daysAgo: 60, seq: 1, ods: hospital, source: "acute-rjr")]
        case .consentThenOptedOut:
            return [feed(.consentToView, daysAgo: 90, seq: 1), feed(.optedOut, daysAgo: 1, seq: 2)]
        }
    }

    static func request(_ cell: Cell) -> AccessRequest {
        AccessRequest(
            user: user(cell), nhsNumber: target, patient: patient(cell), interaction: cell.interaction.value,
            emergencyReason: cell.emergency ? reason : nil, now: now)
    }

    // MARK: The oracle

    /// An answer, compared by status code and machine code (and message text where C0 fixes it).
    enum Answer: Equatable, CustomStringConvertible {
        case allow(AccessBasis)
        case deny(status: Int, code: String, text: String?)

        var description: String {
            switch self {
            case .allow(let basis): "allow(\(basis))"
            case .deny(let status, let code, let text): "deny(\(status) \(code)\(text.map { ": \($0)" } ?? ""))"
            }
        }

        init(_ decision: AccessDecision) {
            switch decision {
            case .allow(let basis):
                self = .allow(basis)
            case .deny(let error):
                // C0: the opted-out and blocked messages must appear verbatim; other texts are free.
                let verbatim: Set<ErrorCode> = [.patientOptedOut, .recordBlocked]
                self = .deny(status: error.status.code, code: error.code.rawValue, text: verbatim.contains(error.code) ? error.text : nil)
            }
        }
    }

    static let organisationNotParticipating = Answer.deny(status: 403, code: "ORGANISATION_NOT_PARTICIPATING", text: nil)
    static let roleNotPermitted = Answer.deny(status: 403, code: "ROLE_NOT_PERMITTED", text: nil)
    static let patientNotFound = Answer.deny(status: 404, code: "PATIENT_NOT_FOUND", text: nil)
    static let optedOut = Answer.deny(status: 403, code: "PATIENT_OPTED_OUT", text: "The patient has declined to have an electronic shared record.")
    static let blocked = Answer.deny(status: 403, code: "RECORD_BLOCKED", text: "The patient has not given consent to view the record.")
    static let consentRequired = Answer.deny(status: 403, code: "CONSENT_REQUIRED", text: nil)
    static let invalidResource = Answer.deny(status: 422, code: "INVALID_RESOURCE", text: nil)

    enum Restriction { case none, blocked, optedOut }

    /// What the contract says a sharing state means for this patient, written by hand (not derived from the stored decisions).
    struct Meaning {
        /// C3: the latest decision of the registered practice among opt-out, block and a (permanent) permit; D7: a
        /// 24-hour consent never lifts a block; a block from anyone else is not honoured.
        var restriction: Restriction
        /// A permanent consent to view in force (C5.5, A2: whoever recorded it).
        var permanentConsent: Bool
        /// A 24-hour consent in force that names this user (C5.5, D7).
        var shortTermConsentForUser: Bool
    }

    static func meaning(_ sharing: Sharing) -> Meaning {
        switch sharing {
        case .none: Meaning(restriction: .none, permanentConsent: false, shortTermConsentForUser: false)
        case .permanentConsentFromPractice: Meaning(restriction: .none, permanentConsent: true, shortTermConsentForUser: false)
        case .permanentConsentFromHospital: Meaning(restriction: .none, permanentConsent: true, shortTermConsentForUser: false)
        case .shortTermConsentForUser: Meaning(restriction: .none, permanentConsent: false, shortTermConsentForUser: true)
        case .shortTermConsentForAnother: Meaning(restriction: .none, permanentConsent: false, shortTermConsentForUser: false)
        case .shortTermConsentExpired: Meaning(restriction: .none, permanentConsent: false, shortTermConsentForUser: false)
        case .blocked: Meaning(restriction: .blocked, permanentConsent: false, shortTermConsentForUser: false)
        case .optedOut: Meaning(restriction: .optedOut, permanentConsent: false, shortTermConsentForUser: false)
        case .blockedThenLiftedByPractice: Meaning(restriction: .none, permanentConsent: true, shortTermConsentForUser: false)
        case .blockedThenShortTermConsent: Meaning(restriction: .blocked, permanentConsent: false, shortTermConsentForUser: true)
        case .blockedByHospitalFeed: Meaning(restriction: .none, permanentConsent: false, shortTermConsentForUser: false)
        case .consentThenOptedOut: Meaning(restriction: .optedOut, permanentConsent: true, shortTermConsentForUser: false)
        }
    }

    /// The expected answer for a cell, from the contract text.
    static func oracle(_ cell: Cell) -> Answer {
        let known = cell.relationship != .unknownPatient
        let sharing = known ? meaning(cell.sharing) : Meaning(restriction: .none, permanentConsent: false, shortTermConsentForUser: false)
        // C3: the registered practice, or an active episode whose period covers now.
        let related = cell.relationship == .registeredPractice || cell.relationship == .activeEpisode
        let atRegisteredPractice = cell.relationship == .registeredPractice

        // C5.2, D4: a non-participating organisation is refused first, whatever the role and interaction.
        if !cell.orgParticipates { return organisationNotParticipating }

        // C5.2: the role.
        let role = cell.who.role
        if role == .admin { return roleNotPermitted }  // D3: no clinical data, no audit, no recording.

        if role == .privacyOfficer {
            // C5 "audit reports for their organisation only; no clinical data"; C8; D3.
            return cell.interaction == .readAudit ? .allow(.privacyOfficer) : roleNotPermitted
        }

        if role == .patient {
            // C5 "their own record and their own audit trail only (opted out: the opted-out message)"; D2.
            guard cell.who == .patientSelf else { return roleNotPermitted }
            switch cell.interaction {
            case .readAudit:
                return .allow(.ownRecord)
            case .recordPermanentConsent, .recordShortTermConsent, .recordBlocked, .recordOptedOut:
                return roleNotPermitted  // C6: recording is for clinical users only.
            case .readRecord:
                if !known { return patientNotFound }
                if sharing.restriction == .optedOut { return optedOut }
                return .allow(.ownRecord)  // D2: a block does not stop the patient; A3: BTG changes nothing.
            }
        }

        // Clinical roles from here.
        precondition(role.isClinical)
        if cell.who.registration == nil { return roleNotPermitted }  // C4, C5.2, D5.
        if cell.interaction == .readAudit { return roleNotPermitted }  // C8, D3.

        if cell.interaction == .readRecord {
            // C5.3: no relationship and no override → 404, as for an unknown NHS number; D4: unknown is 404 even with BTG.
            if !known { return patientNotFound }
            if !related && !cell.emergency { return patientNotFound }
            // C5.4: never overridable.
            if sharing.restriction == .optedOut { return optedOut }
            if sharing.restriction == .blocked { return blocked }
            // C5.5: a consent serves professionals with a care relationship (A1); it wins over an override (D4).
            if related && sharing.permanentConsent { return .allow(.consent) }
            if related && sharing.shortTermConsentForUser { return .allow(.shortTermConsent) }
            // C5.6: the override, clinical roles only (this is a clinical role).
            if cell.emergency { return .allow(.emergencyOverride(reason: reason)) }
            // C5.7.
            return consentRequired
        }

        // C6 recording; D6: a care relationship is needed and the override does not replace it (A4: checked first).
        if !known || !related { return patientNotFound }
        switch cell.interaction {
        case .recordBlocked, .recordOptedOut:
            // C6: only clinical users of the registered practice may record blocked or opted out.
            return atRegisteredPractice ? .allow(.careRelationship) : roleNotPermitted
        case .recordPermanentConsent, .recordShortTermConsent:
            // C6: any related clinician may record consent to view...
            if sharing.restriction == .none { return .allow(.careRelationship) }
            // ...but on a blocked or opted-out record a newer permit lifts it: registered practice only (C6),
            // and a 24-hour consent cannot lift anything (D6, D7).
            if !atRegisteredPractice { return roleNotPermitted }
            return cell.interaction == .recordShortTermConsent ? invalidResource : .allow(.careRelationship)
        case .readRecord, .readAudit:
            preconditionFailure("handled above")
        }
    }

    // MARK: Tests

    @Test("every cell of the matrix answers as the contract says")
    func matrix() {
        let cells = Self.cells
        // 11 users × 2 organisations × (5 relationships × 12 sharing states + 1 unknown patient) × 2 emergency × 6 interactions.
        #expect(cells.count == 11 * 2 * (5 * 12 + 1) * 2 * 6)
        for cell in cells {
            let actual = Answer(Self.policy.decide(Self.request(cell)))
            let expected = Self.oracle(cell)
            #expect(actual == expected, "\(cell): expected \(expected), got \(actual)")
        }
    }

    /// The oracle checked against a few cells read straight off the contract, so that a mistake in the oracle
    /// cannot hide a mistake in the policy (both ways of reading the same cell must agree).
    @Test("hand-written anchor cells: oracle and policy both agree with the contract")
    func anchors() {
        let anchors: [(Cell, Answer, String)] = [
            (Cell(who: .doctor, orgParticipates: true, relationship: .activeEpisode, sharing: .none, emergency: false, interaction: .readRecord),
             Self.consentRequired, "C5.7: related, no consent, no override"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .registeredPractice, sharing: .none, emergency: false, interaction: .readRecord),
             Self.consentRequired, "D1: the practice needs consent too"),
            (Cell(who: .nurse, orgParticipates: true, relationship: .activeEpisode, sharing: .permanentConsentFromPractice, emergency: true, interaction: .readRecord),
             .allow(.consent), "D4: consent wins over an override"),
            (Cell(who: .nurse, orgParticipates: true, relationship: .none, sharing: .none, emergency: true, interaction: .readRecord),
             .allow(.emergencyOverride(reason: Self.reason)), "C5.6: override without a recorded relationship"),
            (Cell(who: .nurse, orgParticipates: true, relationship: .none, sharing: .permanentConsentFromPractice, emergency: true, interaction: .readRecord),
             .allow(.emergencyOverride(reason: Self.reason)), "A1: an unrelated user is served by the override, not the consent"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .finishedEpisode, sharing: .permanentConsentFromPractice, emergency: false, interaction: .readRecord),
             Self.patientNotFound, "C5.3: an ended episode is no relationship"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .activeEpisode, sharing: .blocked, emergency: true, interaction: .readRecord),
             Self.blocked, "C5.4: a block cannot be overridden"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .activeEpisode, sharing: .shortTermConsentForAnother, emergency: false, interaction: .readRecord),
             Self.consentRequired, "C5.5: a 24-hour consent serves only the professional it names"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .activeEpisode, sharing: .shortTermConsentForUser, emergency: false, interaction: .readRecord),
             .allow(.shortTermConsent), "C5.5: the named professional"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .activeEpisode, sharing: .blockedByHospitalFeed, emergency: false, interaction: .readRecord),
             Self.consentRequired, "C3: a block is honoured only from the registered practice"),
            (Cell(who: .doctor, orgParticipates: false, relationship: .registeredPractice, sharing: .permanentConsentFromPractice, emergency: true, interaction: .readRecord),
             Self.organisationNotParticipating, "C5.2: participation first"),
            (Cell(who: .doctorWithoutRegistration, orgParticipates: true, relationship: .activeEpisode, sharing: .permanentConsentFromPractice, emergency: false, interaction: .readRecord),
             Self.roleNotPermitted, "C4/C5.2: clinical role without registration"),
            (Cell(who: .admin, orgParticipates: true, relationship: .activeEpisode, sharing: .permanentConsentFromPractice, emergency: false, interaction: .readRecord),
             Self.roleNotPermitted, "C5.2: admin reading clinical data"),
            (Cell(who: .privacyOfficer, orgParticipates: true, relationship: .unknownPatient, sharing: .none, emergency: false, interaction: .readAudit),
             .allow(.privacyOfficer), "D3: privacy officer audit for any NHS number"),
            (Cell(who: .patientSelf, orgParticipates: true, relationship: .activeEpisode, sharing: .blocked, emergency: false, interaction: .readRecord),
             .allow(.ownRecord), "D2: a block does not stop the patient"),
            (Cell(who: .patientSelf, orgParticipates: true, relationship: .activeEpisode, sharing: .consentThenOptedOut, emergency: false, interaction: .readRecord),
             Self.optedOut, "C5 role patient: opted out, the opted-out message"),
            (Cell(who: .patientOther, orgParticipates: true, relationship: .activeEpisode, sharing: .none, emergency: false, interaction: .readAudit),
             Self.roleNotPermitted, "C5 role patient: own audit trail only"),
            (Cell(who: .nurse, orgParticipates: true, relationship: .activeEpisode, sharing: .none, emergency: false, interaction: .recordBlocked),
             Self.roleNotPermitted, "C6: only the registered practice may block"),
            (Cell(who: .nurse, orgParticipates: true, relationship: .none, sharing: .none, emergency: true, interaction: .recordPermanentConsent),
             Self.patientNotFound, "D6: recording needs a relationship; no override"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .registeredPractice, sharing: .optedOut, emergency: false, interaction: .recordShortTermConsent),
             Self.invalidResource, "D6/D7: a 24-hour consent cannot lift an opt-out"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .registeredPractice, sharing: .blocked, emergency: false, interaction: .recordPermanentConsent),
             .allow(.careRelationship), "C6: the practice lifts a block with a newer permit"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .activeEpisode, sharing: .blockedThenLiftedByPractice, emergency: false, interaction: .readRecord),
             .allow(.consent), "C6: a lifted block; the lifting permit is a permanent consent"),
            (Cell(who: .doctor, orgParticipates: true, relationship: .registeredPractice, sharing: .blockedThenShortTermConsent, emergency: false, interaction: .readRecord),
             Self.blocked, "D7: a 24-hour consent never lifts a block, not even the practice's own"),
        ]
        for (cell, contract, why) in anchors {
            #expect(Self.oracle(cell) == contract, "oracle, \(why): \(cell)")
            let actual = Answer(Self.policy.decide(Self.request(cell)))
            #expect(actual == contract, "policy, \(why): \(cell): expected \(contract), got \(actual)")
        }
    }
}
