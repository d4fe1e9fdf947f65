import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import CareRecordCLI
@testable import CareRecordServer

@Suite("The access decision sampled through the live HTTP API")
struct LiveAccessMatrixTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let ods: String
        var role = "doctor"
        var registration: String? = "GMC-1234567"
        /// The patient by situation, or a fixed NHS number.
        let patient: @Sendable (RegionSummary) -> String?
        var path = "/Patient/{nhs}"
        var emergency: String?? = nil
        var ownNHS = false
        let status: Int
        let code: String?
        var text: String?
    }

    static let optedOutText = "The patient has declined to have an electronic shared record."
    static let blockedText = "The patient has not given consent to view the record."

    static let cases: [Case] = [
        Case(description: "GP of the registered practice, consent", ods: "A81001", patient: { $0.registeredAtA81001 }, status: 200, code: nil),
        Case(description: "hospital doctor, active episode, consent", ods: "RJR", patient: { $0.hospitalActiveWithConsent }, status: 200, code: nil),
        Case(description: "hospital pharmacist, active episode, consent, search", ods: "RJR", role: "pharmacist", patient: { $0.hospitalActiveWithConsent }, path: "/MedicationStatement?patient={nhs}", status: 200, code: nil),
        Case(description: "hospital nurse, no consent", ods: "RJR", role: "nurse", patient: { $0.hospitalActiveWithoutConsent }, status: 403, code: "CONSENT_REQUIRED"),
        Case(description: "hospital nurse, no consent, override", ods: "RJR", role: "nurse", patient: { $0.hospitalActiveWithoutConsent }, emergency: "Sepsis", status: 200, code: nil),
        Case(description: "opted out", ods: "RJR", patient: { $0.hospitalOptedOut }, status: 403, code: "PATIENT_OPTED_OUT", text: optedOutText),
        Case(description: "opted out, override", ods: "RJR", patient: { $0.hospitalOptedOut }, emergency: "Cardiac arrest", status: 403, code: "PATIENT_OPTED_OUT", text: optedOutText),
        Case(description: "blocked, search", ods: "RJR", patient: { $0.hospitalBlocked }, path: "/Condition?patient={nhs}", status: 403, code: "RECORD_BLOCKED", text: blockedText),
        Case(description: "blocked, override", ods: "RJR", patient: { $0.hospitalBlocked }, emergency: "Stroke", status: 403, code: "RECORD_BLOCKED", text: blockedText),
        Case(description: "ended episode", ods: "RJR", patient: { $0.hospitalEndedEpisode }, status: 404, code: "PATIENT_NOT_FOUND"),
        Case(description: "ended episode, search", ods: "RJR", patient: { $0.hospitalEndedEpisode }, path: "/Condition?patient={nhs}", status: 200, code: nil),
        Case(description: "ended episode, override", ods: "RJR", patient: { $0.hospitalEndedEpisode }, emergency: "Found collapsed", status: 200, code: nil),
        Case(description: "override without a reason", ods: "RJR", patient: { $0.hospitalEndedEpisode }, emergency: .some(nil), status: 400, code: "INVALID_PARAMETER"),
        Case(description: "unknown patient, override", ods: "RJR", patient: { _ in "9434765919" }, emergency: "Unknown", status: 404, code: "PATIENT_NOT_FOUND"),
        Case(description: "admin", ods: "RJR", role: "admin", registration: nil, patient: { $0.hospitalActiveWithConsent }, status: 403, code: "ROLE_NOT_PERMITTED"),
        Case(description: "admin, override", ods: "RJR", role: "admin", registration: nil, patient: { $0.hospitalActiveWithConsent }, emergency: "x", status: 403, code: "ROLE_NOT_PERMITTED"),
        Case(description: "privacy officer reading clinical data", ods: "A81001", role: "privacy-officer", registration: nil, patient: { $0.registeredAtA81001 }, status: 403, code: "ROLE_NOT_PERMITTED"),
        Case(description: "doctor without registration", ods: "RJR", registration: nil, patient: { $0.hospitalActiveWithConsent }, status: 403, code: "ROLE_NOT_PERMITTED"),
        Case(description: "organisation not participating", ods: "X99999", patient: { $0.hospitalActiveWithConsent }, status: 403, code: "ORGANISATION_NOT_PARTICIPATING"),
        Case(description: "patient, own record", ods: "A81001", role: "patient", registration: nil, patient: { $0.registeredAtA81001 }, ownNHS: true, status: 200, code: nil),
        Case(description: "patient, own audit trail", ods: "A81001", role: "patient", registration: nil, patient: { $0.registeredAtA81001 }, path: "/AuditEvent?patient={nhs}", ownNHS: true, status: 200, code: nil),
        Case(description: "patient, someone else's record", ods: "A81001", role: "patient", registration: nil, patient: { $0.hospitalActiveWithoutConsent }, status: 403, code: "ROLE_NOT_PERMITTED"),
        Case(description: "clinician reading audit", ods: "RJR", patient: { $0.hospitalActiveWithConsent }, path: "/AuditEvent?patient={nhs}", status: 403, code: "ROLE_NOT_PERMITTED"),
    ]

    @Test("status, code and verbatim message", arguments: cases)
    func cell(_ cell: Case) async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try #require(cell.patient(fixture.summary), "the region has a patient for \(cell)")
        let ownNHS = cell.ownNHS ? nhs : (cell.role == "patient" ? fixture.summary.registeredAtA81001 : nil)
        let token = try await fixture.keys.token(
            TestKeys.claims(sub: "user.\(cell.role)", ods: cell.ods, role: cell.role, registration: cell.registration, nhsNumber: ownNHS))
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let emergency = cell.emergency {
            headers[HTTPField.Name("X-Purpose-Of-Use")!] = "BTG"
            if let reason = emergency { headers[HTTPField.Name("X-Access-Reason")!] = reason }
        }
        let requestHeaders = headers
        let app = Application(router: try await fixture.api().buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let response = try await client.execute(uri: cell.path.replacingOccurrences(of: "{nhs}", with: nhs), method: .get, headers: requestHeaders) { $0 }
            #expect(Int(response.status.code) == cell.status, "\(cell)")
            #expect(errorCode(response.body) == cell.code, "\(cell)")
            if let text = cell.text {
                let outcome = try FHIRJSON.decode(OperationOutcome.self, from: Data(buffer: response.body))
                #expect(outcome.issue.first?.details?.text == text, "\(cell)")
            }
        }
    }
}
