import CareRecordStore
import FHIR
import Foundation

/// `audit.review`: what marks an access for a privacy officer's review (issue 11). Defaults: more than 50 distinct
/// patients a day, 3 refusals on one patient a day, working hours 08:00–18:00 Monday to Friday in Europe/London.
public struct AuditReviewSettings: Sendable, Equatable {
    /// A user who opens more distinct patients' records than this in one (local) day is flagged `many-patients`.
    public var manyPatientsPerDay = 50
    /// This many refused attempts by one user on one patient in a (local) day are flagged `repeated-refusals`.
    public var repeatedRefusals = 3
    /// Working hours as minutes after local midnight, `[start, end)`, on `workingDays` (1 = Sunday ... 7 = Saturday).
    public var workingHoursStart = 8 * 60
    public var workingHoursEnd = 18 * 60
    public var workingDays: Set<Int> = [2, 3, 4, 5, 6]
    /// The time zone working hours and days are in (an IANA name).
    public var timeZone = TimeZone(identifier: "Europe/London")!

    public init() {}
}

/// The codes of `https://cheshire-care-record.nhs.uk/fhir/CodeSystem/care-record-audit-flag`.
public enum AuditFlag: String, Sendable, CaseIterable, Comparable {
    case emergencyOverride = "emergency-override"
    case manyPatients = "many-patients"
    case outOfHours = "out-of-hours"
    case repeatedRefusals = "repeated-refusals"
    case sameFamilyName = "same-family-name"

    public static let system = "https://cheshire-care-record.nhs.uk/fhir/CodeSystem/care-record-audit-flag"

    public var display: String {
        switch self {
        case .emergencyOverride: "Emergency override attempt"
        case .manyPatients: "Many patients in a day"
        case .outOfHours: "Outside working hours"
        case .repeatedRefusals: "Repeated refusals on one patient"
        case .sameFamilyName: "Patient shares the user's family name"
        }
    }

    public static func < (lhs: AuditFlag, rhs: AuditFlag) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The outcomes a review may record.
public enum ReviewOutcome: String, Sendable, CaseIterable {
    case appropriate
    case inappropriate
    case needsFollowUp = "needs-follow-up"
}

/// An audit record as a privacy officer reviews it: the flags computed for it and the reviews recorded of it (oldest
/// first; the last is the state in force).
public struct ReviewedRecord: Sendable {
    public var record: AuditRecord
    public var flags: Set<AuditFlag>
    public var reviews: [AuditRecord]

    public var latestReview: AuditRecord? { reviews.last }
}

/// Computes review flags at query time from the log as it stands, so nothing is ever written back to a record: each
/// flag is a fact about an access record and the records around it. Only staff accesses are flagged (never a patient
/// reading their own record, nor reviews themselves).
public struct AuditFlagger: Sendable {
    public let settings: AuditReviewSettings
    private let calendar: Calendar

    public init(settings: AuditReviewSettings) {
        self.settings = settings
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        self.calendar = calendar
    }

    /// The interval of whole local days covering `[from, to)`: the records a user's daily counts are taken over.
    public func dayBounds(from: Date, to: Date) -> (from: Date, to: Date) {
        let start = calendar.startOfDay(for: from)
        let lastDay = calendar.startOfDay(for: to.addingTimeInterval(-0.001))
        return (start, calendar.date(byAdding: .day, value: 1, to: lastDay) ?? to)
    }

    /// The flags of each of `records`. `userRecords` are the same users' records over whole local days around them (for
    /// `many-patients` and `repeated-refusals`); `familyNames` the family names of the patients, by NHS number.
    public func flags(of records: [AuditRecord], userRecords: [AuditRecord], familyNames: [String: Set<String>]) -> [Int64: Set<AuditFlag>] {
        // Distinct patients opened and refusals per patient, per user and local day.
        var opened: [DayKey: Set<String>] = [:]
        var refusals: [DayKey: [String: Int]] = [:]
        for record in userRecords where Self.isStaffAccess(record) {
            guard let key = dayKey(record), let patient = Self.patient(of: record) else { continue }
            if Self.opened(record) { opened[key, default: []].insert(patient) }
            if Self.refused(record) { refusals[key, default: [:]][patient, default: 0] += 1 }
        }
        var result: [Int64: Set<AuditFlag>] = [:]
        for record in records where Self.isStaffAccess(record) {
            var flags: Set<AuditFlag> = []
            if record.isEmergencyOverrideAttempt { flags.insert(.emergencyOverride) }
            if let date = FHIRDateTime.parse(record.recorded), !isWorkingTime(date) { flags.insert(.outOfHours) }
            if let key = dayKey(record), let patient = Self.patient(of: record) {
                if Self.opened(record), (opened[key]?.count ?? 0) > settings.manyPatientsPerDay { flags.insert(.manyPatients) }
                if Self.refused(record), (refusals[key]?[patient] ?? 0) >= settings.repeatedRefusals { flags.insert(.repeatedRefusals) }
                if let surname = Self.lastWord(record.userName), familyNames[patient]?.contains(surname) == true { flags.insert(.sameFamilyName) }
            }
            if !flags.isEmpty { result[record.sequence] = flags }
        }
        return result
    }

    /// Inside working hours and days, in the configured time zone.
    public func isWorkingTime(_ date: Date) -> Bool {
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return settings.workingDays.contains(parts.weekday ?? 0) && minute >= settings.workingHoursStart && minute < settings.workingHoursEnd
    }

    /// A request by a user acting for an organisation (not a patient, not a rate-limit summary, not a review).
    public static func isStaffAccess(_ record: AuditRecord) -> Bool {
        record.userSub != nil && record.userRole != nil && record.userRole != "patient" && !record.isReview && record.throttledCount == nil
    }

    /// The patient a staff access was about.
    public static func patient(of record: AuditRecord) -> String? {
        record.patientNHS ?? record.attemptedPatientNHS
    }

    /// A patient's record (not their audit trail) opened: allowed, and data released.
    static func opened(_ record: AuditRecord) -> Bool {
        record.status < 300 && record.resourceType != "AuditEvent" && record.returned != nil
    }

    /// Refused by the access decision (403, or 404 for a patient without a care relationship).
    static func refused(_ record: AuditRecord) -> Bool {
        record.status == 403 || record.status == 404
    }

    /// The last word of a name, folded for comparison ("Dr Anne O'Neil" → "o'neil").
    static func lastWord(_ name: String?) -> String? {
        guard let word = name?.split(whereSeparator: { $0.isWhitespace }).last else { return nil }
        return fold(String(word))
    }

    /// Case and accents ignored.
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_GB"))
    }

    struct DayKey: Hashable {
        let user: String
        let day: DateComponents
    }

    private func dayKey(_ record: AuditRecord) -> DayKey? {
        guard let user = record.userSub, let date = FHIRDateTime.parse(record.recorded) else { return nil }
        return DayKey(user: user, day: calendar.dateComponents([.year, .month, .day], from: date))
    }
}

/// A privacy officer's view of the log: the records that concern their organisation in a period, with flags and reviews.
public struct OrganisationAuditReview: Sendable {
    let auditStore: any AuditStore
    let repository: any CareRecordRepository
    let flagger: AuditFlagger

    public init(auditStore: any AuditStore, repository: any CareRecordRepository, settings: AuditReviewSettings) {
        self.auditStore = auditStore
        self.repository = repository
        self.flagger = AuditFlagger(settings: settings)
    }

    /// The longest period one query may cover.
    public static let maximumDays = 31

    /// Every record in `[from, to)` about the organisation's patients (as registered then) or by its staff, oldest first,
    /// with flags and reviews. Reviews are included as records of their own when made in the period.
    public func records(organisation ods: String, from: Date, to: Date) async throws -> [ReviewedRecord] {
        let records = try await auditStore.records(organisation: ods, from: FHIRDateTime.instant(from), to: FHIRDateTime.instant(to))
        let users = Set(records.filter(AuditFlagger.isStaffAccess).compactMap(\.userSub))
        let days = flagger.dayBounds(from: from, to: to)
        let userRecords = try await auditStore.records(users: users, from: FHIRDateTime.instant(days.from), to: FHIRDateTime.instant(days.to))
        var familyNames: [String: Set<String>] = [:]
        let named = records.filter { AuditFlagger.isStaffAccess($0) && AuditFlagger.lastWord($0.userName) != nil }
        for nhs in Set(named.compactMap(AuditFlagger.patient(of:))) {
            familyNames[nhs] = try await familyNamesOf(nhs)
        }
        let flags = flagger.flags(of: records, userRecords: userRecords, familyNames: familyNames)
        let reviews = Dictionary(grouping: try await auditStore.reviews(of: Set(records.map(\.sequence))), by: { $0.reviewOf ?? 0 })
        return records.map { ReviewedRecord(record: $0, flags: flags[$0.sequence] ?? [], reviews: reviews[$0.sequence] ?? []) }
    }

    /// One record with its flags and reviews (flags judged over the local day it was made in).
    public func reviewed(_ record: AuditRecord) async throws -> ReviewedRecord {
        guard let date = FHIRDateTime.parse(record.recorded) else { return ReviewedRecord(record: record, flags: [], reviews: []) }
        let days = flagger.dayBounds(from: date, to: date.addingTimeInterval(0.001))
        let userRecords = try await auditStore.records(
            users: Set([record.userSub].compactMap { $0 }), from: FHIRDateTime.instant(days.from), to: FHIRDateTime.instant(days.to))
        var familyNames: [String: Set<String>] = [:]
        if let nhs = AuditFlagger.patient(of: record) { familyNames[nhs] = try await familyNamesOf(nhs) }
        let flags = flagger.flags(of: [record], userRecords: userRecords, familyNames: familyNames)
        return ReviewedRecord(record: record, flags: flags[record.sequence] ?? [], reviews: try await auditStore.reviews(of: [record.sequence]))
    }

    /// The family names on the patient's demographics as the record holds them now (folded).
    func familyNamesOf(_ nhs: String) async throws -> Set<String> {
        guard let number = NHSNumber(nhs), let stored = try await repository.patient(number),
              let patient = try? FHIRJSON.decode(Patient.self, from: stored.json) else { return [] }
        return Set((patient.name ?? []).compactMap(\.family).map(AuditFlagger.fold))
    }

    /// Whether a record is within an organisation's review scope: about a patient registered with it when made, or made
    /// by its staff. Records written before registrations were recorded fall back to the current registration.
    public func isInScope(_ record: AuditRecord, organisation ods: String) async throws -> Bool {
        if record.userOds == ods || record.patientRegisteredOds == ods { return true }
        guard record.patientRegisteredOds == nil, let nhs = AuditFlagger.patient(of: record).flatMap(NHSNumber.init) else { return false }
        return try await repository.patientState(nhs)?.registeredPractice == ods
    }
}
