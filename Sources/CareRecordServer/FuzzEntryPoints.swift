import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// Public doors to internal request parsers for the libFuzzer harnesses in `Benchmarks/Fuzz`, which link a release build
/// (where `@testable import` is unavailable). Each runs the real parser exactly as its controller does; nothing here serves requests.
public enum FuzzEntryPoints {
    /// Checks a `POST /Consent` body as `ConsentController.record` does: the patient and the decision it would record,
    /// or the `FHIRError` it would answer.
    public static func consent(body: Data, user: AuthenticatedUser, now: Date) throws -> (patient: NHSNumber, decision: SharingDecision) {
        let submission = try ConsentSubmission(body: body, user: user, now: now)
        let decision = SharingDecision(
            id: "", kind: submission.kind, recordedAt: now, recordedByOds: user.ods, sourceId: nil, recordedBySub: user.sub,
            actorSub: submission.actorSub, periodStart: submission.periodStart, periodEnd: submission.periodEnd)
        return (submission.nhsNumber, decision)
    }

    /// Parses a request's query as `GET /AuditEvent` does (`SearchParameters`, `patientNHSNumber`, `page()`, `date`, `subtype`):
    /// the accepted parameters and the query of the page's `self` link, or the `FHIRError` it would answer.
    public static func auditEventSearch(_ request: Request) throws -> (values: [String: [String]], selfQuery: String) {
        let parameters = try SearchParameters(
            request, allowed: Set(["patient", "date", "subtype"]).union(SearchParameters.paging), repeatable: ["date"])
        _ = try SearchParameters.patientNHSNumber(parameters["patient"])
        _ = try AuditSearch.filter(parameters)
        let page = try parameters.page()
        return (parameters.values, parameters.query(offset: page.offset, count: page.count))
    }
}
