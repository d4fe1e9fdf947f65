import CareRecordStore
import FHIR
import Testing
@testable import CareRecordCLI

@Suite("care-record audit report")
struct AuditReportTests {
    @Test("one line per access with when, who, role, organisation, what, outcome and basis")
    func table() {
        var allowed = AuditRecord(recorded: "2026-11-25T10:00:00.000Z", requestID: "a", method: "GET", path: "/Patient/9434765919", interaction: "read", status: 200, reasonCode: "OK")
        allowed.userSub = "dr.patel"
        allowed.userName = "Dr Anil Patel"
        allowed.userRole = "doctor"
        allowed.userOds = "RJR"
        allowed.resourceType = "Patient"
        allowed.basis = "emergency-override"
        allowed.accessReason = "Unconscious in ED"
        let refused = AuditRecord(recorded: "2026-11-25T10:05:00.000Z", requestID: "b", method: "GET", path: "/Patient/9434765919", interaction: "unknown", status: 401, reasonCode: "TOKEN_INVALID")
        let lines = AuditReportFormatter.table([allowed, refused], patient: NHSNumber("9434765919")!).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("when"))
        for field in ["2026-11-25T10:00:00.000Z", "Dr Anil Patel (dr.patel)", "doctor", "RJR", "read Patient", "200 allowed", "emergency-override: Unconscious in ED"] {
            #expect(lines[1].contains(field), "\(field)")
        }
        #expect(lines[2].contains("(no valid token)"))
        #expect(lines[2].contains("401 TOKEN_INVALID"))
        #expect(AuditReportFormatter.table([], patient: NHSNumber("9434765919")!).contains("No recorded access"))
    }
}
