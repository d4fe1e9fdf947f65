import CareRecordServer
import Foundation

/// The curl commands `care-record demo` prints, each with a freshly signed token.
struct DemoWalkthrough {
    let keyFile: String
    let baseURL: String
    let summary: RegionSummary

    struct User {
        let sub: String
        let name: String
        let ods: String
        let role: String
        var registration: String?
        var nhsNumber: String?
    }

    func text() async throws -> String {
        let signer = try await TokenSigner(keyFile: keyFile)
        func token(_ user: User) async throws -> String {
            try await signer.sign(AccessTokenClaims(
                iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: user.sub, exp: Date().addingTimeInterval(8 * 3600), iat: Date(),
                name: user.name, ods: user.ods, role: user.role, registration: user.registration, nhsNumber: user.nhsNumber))
        }
        let gp = User(sub: "dr.jones", name: "Dr Sarah Jones", ods: "A81001", role: "doctor", registration: "GMC-7012345")
        let hospital = User(sub: "dr.patel", name: "Dr Anil Patel", ods: "RJR", role: "doctor", registration: "GMC-6098765")
        let gpPatient = summary.registeredAtA81001 ?? "-"
        var lines = [
            "", "The Cheshire Care Record is serving \(baseURL) (Ctrl-C stops it). Try:", "",
            "# The CapabilityStatement (no token needed)",
            "curl -s \(baseURL)/metadata", "",
            "# A GP at the registered practice reads their patient",
            "curl -s -H 'Authorization: Bearer \(try await token(gp))' \(baseURL)/Patient/\(gpPatient)", "",
        ]
        let hospitalToken = try await token(hospital)
        if let consented = summary.hospitalActiveWithConsent {
            lines += [
                "# A hospital doctor with an active episode searches the patient's conditions",
                "curl -s -H 'Authorization: Bearer \(hospitalToken)' '\(baseURL)/Condition?patient=\(consented)'", "",
                "# ... and everything the record holds",
                "curl -s -H 'Authorization: Bearer \(hospitalToken)' '\(baseURL)/Patient/\(consented)/$everything'", "",
            ]
        }
        if let ended = summary.hospitalEndedEpisode {
            lines += [
                "# The same doctor, for a patient whose hospital episode has ended: 404, as for an unknown NHS number",
                "curl -s -H 'Authorization: Bearer \(hospitalToken)' \(baseURL)/Patient/\(ended)", "",
            ]
        }
        lines += [
            "# No token: 401 with an OperationOutcome",
            "curl -si \(baseURL)/Patient/\(gpPatient)", "",
        ]
        return lines.joined(separator: "\n")
    }
}
