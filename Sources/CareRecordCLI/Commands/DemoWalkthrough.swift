import CareRecordServer
import Foundation

/// The curl commands `care-record demo` prints: tokens for several users first, then one request per situation.
struct DemoWalkthrough {
    let keyFile: String
    let baseURL: String
    let configPath: String
    let summary: RegionSummary
    /// The API's CA when it serves HTTPS (`demo --tls`): every curl command passes it with `--cacert`.
    var caFile: String? = nil
    /// The reference patient portal, served from a second origin (`demo` serves it); nil when it is not served.
    var portalURL: String? = nil

    struct User {
        let variable: String
        let sub: String
        let name: String
        let ods: String
        let role: String
        var registration: String?
        var nhsNumber: String?
    }

    /// This executable's absolute path, so the printed commands work when pasted as printed (it need not be on `PATH`).
    static var executable: String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        return FileManager.default.isExecutableFile(atPath: path) ? path : "care-record"
    }

    func users() -> [User] {
        [
            User(variable: "GP", sub: "dr.jones", name: "Dr Sarah Jones", ods: "A81001", role: "doctor", registration: "GMC-7012345"),
            User(variable: "HOSPITAL", sub: "dr.patel", name: "Dr Anil Patel", ods: "RJR", role: "doctor", registration: "GMC-6098765"),
            User(variable: "NURSE", sub: "nurse.evans", name: "Nurse Tom Evans", ods: "RJR", role: "nurse", registration: "NMC-12A3456B"),
            User(variable: "ADMIN", sub: "admin.hughes", name: "Pat Hughes", ods: "RJR", role: "admin"),
            User(variable: "PRIVACY", sub: "po.wright", name: "Kim Wright", ods: "A81001", role: "privacy-officer"),
            User(variable: "PATIENT", sub: "patient-\(summary.registeredAtA81001 ?? "")", name: "A patient", ods: "A81001", role: "patient",
                 nhsNumber: summary.registeredAtA81001),
        ]
    }

    func text() async throws -> String {
        let signer = try await TokenSigner(keyFile: keyFile)
        var lines = ["", "The Cheshire Care Record is serving \(baseURL) (Ctrl-C stops it).", "", "# Tokens for six users (valid 8 hours): paste these first"]
        // Whole seconds, as `care-record token` signs them.
        let now = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        for user in users() {
            let token = try await signer.sign(AccessTokenClaims(
                iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: user.sub, exp: now.addingTimeInterval(8 * 3600), iat: now,
                name: user.name, ods: user.ods, role: user.role, registration: user.registration, nhsNumber: user.nhsNumber))
            lines.append("export \(user.variable)=\(token)")
        }
        if let caFile { lines += ["", "# HTTPS: the API's certificate was issued by a CA made for this demo, \(caFile)"] }
        if let portalURL {
            lines += try await portalLines(portalURL, signer: signer, now: now)
        }
        lines += ["", "# The CapabilityStatement (no token)", trusting("curl -s \(baseURL)/metadata"), ""]
        lines += steps().flatMap { ["# \($0.title)", trusting($0.command), ""] }
        return lines.joined(separator: "\n")
    }

    /// The portal's address, and links that sign a patient in at once (a development token in the fragment, which the
    /// page reads once and removes from the address bar).
    func portalLines(_ portalURL: String, signer: TokenSigner, now: Date) async throws -> [String] {
        var lines = ["", "# The patient portal, on its own origin (listed in server.cors.allowedOrigins): open it in a browser", portalURL]
        let patients = [("the demo patient (registered at Hoole Road Surgery)", summary.registeredAtA81001), ("a patient who opted out", summary.hospitalOptedOut)]
        for case (let title, let nhs?) in patients {
            let token = try await signer.sign(AccessTokenClaims(
                iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: "patient-\(nhs)", exp: now.addingTimeInterval(8 * 3600), iat: now,
                name: "A patient", ods: "A81001", role: "patient", nhsNumber: nhs))
            lines += ["# ... signed in as \(title):", "\(portalURL)#access_token=\(token)"]
        }
        if caFile != nil { lines.append("# (with --tls, the browser must trust the demo's CA before the portal can reach the API)") }
        return lines
    }

    /// A curl command that trusts the API's CA, when it has one.
    func trusting(_ command: String) -> String {
        guard let caFile else { return command }
        return command.replacingOccurrences(of: "curl ", with: "curl --cacert \(caFile) ")
    }

    func steps() -> [(title: String, command: String)] {
        let auth = { (variable: String) in "-H \"Authorization: Bearer $\(variable)\"" }
        var steps: [(String, String)] = []
        if let gpPatient = summary.registeredAtA81001 {
            steps.append(("A GP at the registered practice reads the patient (consent on record): 200", "curl -s \(auth("GP")) \(baseURL)/Patient/\(gpPatient)"))
        }
        if let consented = summary.hospitalActiveWithConsent {
            steps.append(("A hospital doctor with an active episode and consent searches conditions: 200", "curl -s \(auth("HOSPITAL")) '\(baseURL)/Condition?patient=\(consented)'"))
            steps.append(("... and everything the record holds", "curl -s \(auth("HOSPITAL")) '\(baseURL)/Patient/\(consented)/$everything'"))
        }
        if let unconsented = summary.hospitalActiveWithoutConsent {
            steps.append(("The same doctor, a patient without consent: 403 CONSENT_REQUIRED", "curl -s \(auth("HOSPITAL")) \(baseURL)/Patient/\(unconsented)"))
            let body = #"{"resourceType":"Consent","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},"category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],"patient":{"reference":"Patient/\#(unconsented)"},"policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},"provision":{"type":"permit","action":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentaction","code":"access"}]}],"period":{"start":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","end":"'$(date -u -d '+23 hours' +%Y-%m-%dT%H:%M:%SZ)'"},"actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},"reference":{"identifier":{"value":"dr.patel"}}}]}}"#
            steps.append(("The patient agrees: the doctor records a 24-hour consent for themself: 201 + Location", "curl -si \(auth("HOSPITAL")) -H 'Content-Type: application/fhir+json' -X POST \(baseURL)/Consent -d '\(body)'"))
            steps.append(("... and reads the record: 200", "curl -s \(auth("HOSPITAL")) \(baseURL)/Patient/\(unconsented)"))
        }
        if let ended = summary.hospitalEndedEpisode {
            steps.append(("A nurse with no current relationship: 404, exactly as for an unknown NHS number", "curl -s \(auth("NURSE")) \(baseURL)/Patient/\(ended)"))
            steps.append(("... in an emergency, with an override that is audited for review: 200", "curl -s \(auth("NURSE")) -H 'X-Purpose-Of-Use: BTG' -H 'X-Access-Reason: Unconscious in ED, allergies needed' '\(baseURL)/AllergyIntolerance?patient=\(ended)'"))
        }
        if let optedOut = summary.hospitalOptedOut {
            steps.append(("A patient who opted out: 403 PATIENT_OPTED_OUT, even in an emergency", "curl -s \(auth("HOSPITAL")) -H 'X-Purpose-Of-Use: BTG' -H 'X-Access-Reason: test' \(baseURL)/Patient/\(optedOut)"))
        }
        if let blocked = summary.hospitalBlocked {
            steps.append(("A patient who blocked viewing: 403 RECORD_BLOCKED", "curl -s \(auth("HOSPITAL")) \(baseURL)/Patient/\(blocked)"))
        }
        if let consented = summary.hospitalActiveWithConsent {
            steps.append(("An admin may not read clinical data: 403 ROLE_NOT_PERMITTED", "curl -s \(auth("ADMIN")) \(baseURL)/Patient/\(consented)"))
        }
        if let own = summary.registeredAtA81001 {
            steps.append(("The practice's privacy officer: who accessed this patient's record", "curl -s \(auth("PRIVACY")) '\(baseURL)/AuditEvent?patient=\(own)'"))
            steps.append(("The patient reads their own record", "curl -s \(auth("PATIENT")) \(baseURL)/Patient/\(own)"))
            steps.append(("... and who viewed it", "curl -s \(auth("PATIENT")) '\(baseURL)/AuditEvent?patient=\(own)'"))
            steps.append(("The same as a report, and a check of the audit log's hash chain", "\(Self.executable) audit report --config \(configPath) --patient \(own) && \(Self.executable) audit verify --config \(configPath)"))
            steps.append(("No token: 401 with an OperationOutcome", "curl -si \(baseURL)/Patient/\(own)"))
        }
        return steps
    }
}
