import CareRecordStore
import Crypto
import FHIR
import Foundation
import Hummingbird

/// `GET /AuditEvent?patient=` (C8): a patient's own trail, or a privacy officer's view within their organisation's scope;
/// without `patient`, a privacy officer's review of their organisation (issue 11); `POST /AuditEvent/{id}/$review` records
/// a review.
struct AuditEventController {
    let auditStore: any AuditStore
    let review: OrganisationAuditReview
    let auditLog: AuditLog
    let baseURL: String
    let requireScopes: Bool
    let clock: @Sendable () -> Date
    /// Organisation names by ODS code, shown on the organisation agent.
    var organisationNames: [String: String] = [:]

    func addRoutes(to routes: PatientScopedRoutes) {
        routes.get(
            "AuditEvent",
            PatientRoute(
                resolution: .patientParameter, purpose: .readAudit, interaction: "search-type", resourceType: "AuditEvent",
                allowedParameters: Set(["patient", "date", "subtype"]).union(SearchParameters.paging), repeatableParameters: ["date"],
                validate: { parameters in _ = try AuditSearch.filter(parameters) }, withoutPatient: organisationSearch),
            use: search)
        routes.get("AuditEvent/:id", PatientRoute(resolution: .entry(.auditEvent), purpose: .readAudit, interaction: "read", resourceType: "AuditEvent"), use: read)
        routes.router.post("AuditEvent/:id/$review", use: recordReview)
    }

    /// One AuditEvent (the `fullUrl` of a search entry), to those who could find it by searching; anything else reads as unknown.
    /// A privacy officer sees its review flags and state.
    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        guard let record = access.auditRecord else { throw FHIRError.resourceNotFound }
        context.audit.released("AuditEvent/\(record.sequence)")
        if context.user?.role == .privacyOfficer {
            return FHIRResponse.resource(try stored(try await review.reviewed(record)), request: request)
        }
        return FHIRResponse.resource(try stored(record, patient: access.nhsNumber, forPatient: context.user?.role == .patient), request: request)
    }

    func stored(_ record: AuditRecord, patient: NHSNumber, forPatient: Bool) throws -> StoredResource {
        StoredResource(
            id: String(record.sequence), resourceType: AuditEvent.resourceType, nhsNumber: patient, sourceId: nil,
            versionId: String(record.hash.prefix(16)), lastUpdated: FHIRDateTime.parse(record.recorded) ?? Date(),
            json: try FHIRJSON.encode(AuditEventMapper.event(record, forPatient: forPatient).namingOrganisations(organisationNames)))
    }

    /// A record as a privacy officer reviews it (flags and review state); the version changes when a review is added.
    func stored(_ reviewed: ReviewedRecord) throws -> StoredResource {
        let record = reviewed.record
        // Only records about a patient are shown this way (the searches and $review leave the others out).
        guard let patient = AuditFlagger.patient(of: record).flatMap(NHSNumber.init) else { throw FHIRError.internalError }
        // The version (and ETag) follows what the view shows: the record, its flags (which the log around it can change)
        // and its latest review.
        let version: String
        if reviewed.flags.isEmpty && reviewed.reviews.isEmpty {
            version = String(record.hash.prefix(16))
        } else {
            let basis = ([record.hash, reviewed.latestReview?.hash ?? ""] + reviewed.flags.sorted().map(\.rawValue)).joined(separator: "|")
            version = String(SHA256.hash(data: Data(basis.utf8)).hexadecimal.prefix(16))
        }
        var event = AuditEventMapper.event(reviewed).namingOrganisations(organisationNames)
        event.meta?.versionId = version
        return StoredResource(
            id: String(record.sequence), resourceType: AuditEvent.resourceType,
            nhsNumber: patient, sourceId: nil, versionId: version,
            lastUpdated: FHIRDateTime.parse(reviewed.latestReview?.recorded ?? record.recorded) ?? Date(), json: try FHIRJSON.encode(event))
    }

    /// `GET /AuditEvent` without `patient`: a privacy officer's review of the records about their organisation's patients
    /// (as registered when each access was made) and by their staff, in at most 31 days, newest first, with flags.
    @Sendable func organisationSearch(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        guard user.role == .privacyOfficer else { throw FHIRError.roleNotPermitted }
        context.audit.update { $0.basis = .privacyOfficer }
        let parameters = try SearchParameters(
            request, allowed: OrganisationAuditSearch.parameters.union(SearchParameters.paging), repeatable: ["date"], isSearch: true)
        let search = try OrganisationAuditSearch(parameters)
        let page = try parameters.page()
        let found = try await review.records(organisation: user.ods, from: search.from, to: search.to)
            .filter(search.matches)
            .reversed()
        var bundle = SearchBundle(baseURL: baseURL, total: found.count)
        bundle.ignoredParameters = parameters.ignored
        bundle.entries = try found.dropFirst(page.offset).prefix(page.count).map(stored)
        bundle.links = Paging.links(base: "\(baseURL)/AuditEvent", parameters: parameters, page: page, total: found.count)
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }

    /// `POST /AuditEvent/{id}/$review` with `Parameters` (`outcome`: appropriate | inappropriate | needs-follow-up; `note`):
    /// a privacy officer's review of an access about their organisation's patients or by their staff. The review is this
    /// request's own audit record (chained, committed before the answer); the access record is never changed. Answers the
    /// reviewed AuditEvent as it now reads.
    @Sendable func recordReview(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("operation", "AuditEvent")
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        if let scopes = user.scopes {
            guard !scopes.hasSystemScope, scopes.permits("c", on: "AuditEvent", context: "user") else {
                throw FHIRError.scopeNotGranted("The access token's scopes do not grant user/AuditEvent.c.")
            }
        } else if requireScopes {
            throw FHIRError.scopeNotGranted("This service requires SMART scopes in the access token.")
        }
        guard user.role == .privacyOfficer else { throw FHIRError.roleNotPermitted }
        guard let id = context.parameters.get("id"), let sequence = Int64(id), let record = try await auditStore.record(sequence: sequence),
              !record.isReview, AuditFlagger.patient(of: record) != nil, try await review.isInScope(record, organisation: user.ods) else {
            throw FHIRError.resourceNotFound
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            throw FHIRError.invalidResource("The request body is larger than 64 KiB.", status: .contentTooLarge)
        }
        let submitted = try ReviewSubmission(body: Data(body.readableBytesView))
        context.audit.update {
            $0.patient = record.patientNHS.flatMap(NHSNumber.init)
            $0.attemptedPatient = record.attemptedPatientNHS.flatMap(NHSNumber.init)
            $0.registeredPractice = record.patientRegisteredOds
            $0.review = AuditTrail.Review(of: record.sequence, outcome: submitted.outcome, note: submitted.note)
            $0.basis = .privacyOfficer
            $0.returned = "AuditEvent/\(record.sequence)"
        }
        try await AuditMiddleware.commitBeforeChange(auditLog, status: .ok, request: request, context: context, clock: clock)
        let stored = try stored(try await review.reviewed(record))
        return Response(
            status: .ok,
            headers: [
                .contentType: FHIRResponse.contentType, .contentLocation: "\(baseURL)/AuditEvent/\(record.sequence)",
                .eTag: "W/\"\(stored.versionId)\"", .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: stored.json)))
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        let page = try access.parameters.page()
        var filter = try AuditSearch.filter(access.parameters)
        if let user = context.user, user.role == .privacyOfficer {
            // Patients registered elsewhere: only what this organisation's own staff did.
            if access.state?.registeredPractice != user.ods { filter.userOds = user.ods }
            filter.includeAttempts = true
        }
        let found = try await auditStore.records(patient: access.nhsNumber, filter: filter, page: PageRequest(offset: page.offset, count: page.count))
        var bundle = SearchBundle(baseURL: baseURL, total: found.total)
        bundle.ignoredParameters = access.parameters.ignored
        bundle.entries = try found.items.map { try stored($0, patient: access.nhsNumber, forPatient: context.user?.role == .patient) }
        bundle.links = Paging.links(base: "\(baseURL)/AuditEvent", parameters: access.parameters, page: page, total: found.total)
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }
}

/// The body of `$review`: a `Parameters` with `outcome` (a code) and an optional `note`.
struct ReviewSubmission {
    var outcome: ReviewOutcome
    var note: String?

    init(body: Data) throws {
        let parameters: FHIR.Parameters
        do {
            parameters = try JSONDecoder().decode(FHIR.Parameters.self, from: body)
        } catch {
            throw FHIRError.invalidResource("The body must be a FHIR Parameters resource with an outcome (and optionally a note).")
        }
        let outcomes = ReviewOutcome.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = parameters.value("outcome"), let outcome = ReviewOutcome(rawValue: text) else {
            throw FHIRError.invalidResource("The outcome parameter must be one of \(outcomes).")
        }
        let note = parameters.value("note")?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (note?.count ?? 0) <= 2000 else { throw FHIRError.invalidResource("The note must be at most 2000 characters.") }
        self.outcome = outcome
        self.note = note.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The parameters of a privacy officer's `GET /AuditEvent` without `patient`.
struct OrganisationAuditSearch {
    static let parameters: Set<String> = ["date", "altid", "subtype", "outcome", "flag"]

    var from: Date
    var to: Date
    var altid: String?
    var subtypes: Set<String>
    var outcomes: Set<String>
    var flags: Set<AuditFlag>

    init(_ parameters: SearchParameters) throws {
        let bounds = try parameters.all("date").flatMap(AuditSearch.bounds)
        let lower = bounds.filter { $0.comparison == .atOrAfter }.compactMap { FHIRDateTime.parse($0.instant) }.max()
        let upper = bounds.filter { $0.comparison == .before }.compactMap { FHIRDateTime.parse($0.instant) }.min()
        guard let lower, let upper else {
            throw FHIRError.invalidParameter(
                "date is required without patient, bounding the period on both sides (e.g. date=2026-11 or date=ge2026-11-01&date=lt2026-11-15).")
        }
        guard upper > lower else { throw FHIRError.invalidParameter("The date bounds leave an empty period.") }
        guard upper.timeIntervalSince(lower) <= Double(OrganisationAuditReview.maximumDays) * 86_400 else {
            throw FHIRError.invalidParameter("The date bounds may cover at most \(OrganisationAuditReview.maximumDays) days per request.")
        }
        (from, to) = (lower, upper)
        altid = parameters["altid"]
        subtypes = try AuditSearch.subtypes(parameters["subtype"], allowed: AuditSearch.subtypeCodes.union(["review"]))
        outcomes = []
        if let value = parameters["outcome"] {
            let codes = Set(value.split(separator: ",").map { String($0.split(separator: "|").last ?? $0) })
            guard !codes.isEmpty, codes.isSubset(of: ["0", "4", "8"]) else {
                throw FHIRError.invalidParameter("outcome must be 0 (success), 4 (refused) or 8 (failed), or several separated by commas.")
            }
            outcomes = codes
        }
        flags = []
        if let value = parameters["flag"] {
            let codes = value.split(separator: ",").map { String($0.split(separator: "|").last ?? $0) }
            let known = AuditFlag.allCases.map(\.rawValue).joined(separator: ", ")
            guard !codes.isEmpty else { throw FHIRError.invalidParameter("flag must be one or more of \(known).") }
            flags = Set(try codes.map { code in
                guard let flag = AuditFlag(rawValue: code) else { throw FHIRError.invalidParameter("flag must be one or more of \(known).") }
                return flag
            })
        }
    }

    /// Whether a record passes every given filter (each filter's values are alternatives); records not about a patient are
    /// left out.
    func matches(_ reviewed: ReviewedRecord) -> Bool {
        let record = reviewed.record
        guard AuditFlagger.patient(of: record) != nil else { return false }
        if let altid, record.userSub != altid { return false }
        if !subtypes.isEmpty {
            let codes = [record.isReview ? "review" : record.interaction] + (record.isEmergencyOverrideAttempt ? ["emergency-override"] : [])
            if subtypes.isDisjoint(with: codes) { return false }
        }
        if !outcomes.isEmpty {
            let code = record.status < 400 ? "0" : record.status < 500 ? "4" : "8"
            if !outcomes.contains(code) { return false }
        }
        if !flags.isEmpty, flags.isDisjoint(with: reviewed.flags) { return false }
        return true
    }
}

/// The `date` and `subtype` search parameters of `GET /AuditEvent`.
enum AuditSearch {
    static let subtypeCodes: Set<String> = ["read", "search-type", "create", "operation", "emergency-override"]

    /// The filter a search's `date` and `subtype` (and paging) ask for; 400 for anything malformed.
    static func filter(_ parameters: SearchParameters) throws -> AuditFilter {
        _ = try parameters.page()
        return AuditFilter(recordedBounds: try parameters.all("date").flatMap(bounds), subtypes: try subtypes(parameters["subtype"]))
    }

    /// `date=[prefix]value` (prefixes eq, ge, gt, le, lt; a date, or a dateTime with zone) as bounds on `recorded`.
    static func bounds(_ value: String) throws -> [RecordedBound] {
        let prefixes = ["eq", "ge", "gt", "le", "lt"]
        let prefix = prefixes.first { value.hasPrefix($0) } ?? "eq"
        let text = prefixes.contains(String(value.prefix(2))) ? String(value.dropFirst(2)) : value
        guard FHIRDateTime.isValidDateTime(text), let start = FHIRDateTime.parse(text) else {
            throw FHIRError.invalidParameter("date must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime, such as ge2026-11-01.")
        }
        let end = precisionEnd(text, start: start)
        let (low, high) = (FHIRDateTime.instant(start), FHIRDateTime.instant(end))
        switch prefix {
        case "ge": return [RecordedBound(.atOrAfter, low)]
        case "gt": return [RecordedBound(.atOrAfter, high)]
        case "le": return [RecordedBound(.before, high)]
        case "lt": return [RecordedBound(.before, low)]
        default: return [RecordedBound(.atOrAfter, low), RecordedBound(.before, high)]
        }
    }

    /// The end of the period a partial date stands for: a year, a month, a day, or one millisecond for a full dateTime.
    static func precisionEnd(_ text: String, start: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch text.count {
        case 4: return calendar.date(byAdding: .year, value: 1, to: start) ?? start
        case 7: return calendar.date(byAdding: .month, value: 1, to: start) ?? start
        case 10: return calendar.date(byAdding: .day, value: 1, to: start) ?? start
        default: return start.addingTimeInterval(0.001)
        }
    }

    /// `subtype=code[,code]` or `system|code`; codes from restful-interaction or `emergency-override` (and `review` in a
    /// privacy officer's organisation search).
    static func subtypes(_ value: String?, allowed: Set<String> = subtypeCodes) throws -> Set<String> {
        guard let value else { return [] }
        let codes = value.split(separator: ",").map { token in String(token.split(separator: "|").last ?? token) }
        guard !codes.isEmpty, codes.allSatisfy(allowed.contains) else {
            throw FHIRError.invalidParameter("subtype must be one or more of \(allowed.sorted().joined(separator: ", ")).")
        }
        return Set(codes)
    }
}
