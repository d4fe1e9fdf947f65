import CareRecordStore
import Crypto
import FHIR
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer

/// The reference patient portal (`Examples/portal/`) in headless Chromium: the real API on a socket, the portal's own
/// files served from another origin by `PortalServer` (as `care-record demo` serves them), CORS enforced by the browser.
@Suite("The patient portal in a real browser (headless Chromium, issue 11)", .enabled(if: Chromium.isEnabled, Chromium.skipMessage))
struct PortalBrowserTests {
    static let portalFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples/portal").standardizedFileURL

    /// The fixture region's organisation names, as `care-record serve` passes them to the API.
    static func organisationNames(_ fixture: RegionFixture) throws -> [String: String] {
        let configuration = try CareRecordConfiguration.load(path: fixture.folder.appendingPathComponent("care-record.yaml").path)
        return Dictionary(configuration.organisations.map { ($0.ods, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "care-record.test.portal")
        logger.logLevel = .critical
        return logger
    }

    /// Text as Chromium serialises it inside an element.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A patient whose allergies a GP at Hoole Road Surgery (A81001) may read: registered there, with consent on record.
    static func patientWithAllergiesAtA81001(_ fixture: RegionFixture) async throws -> String {
        let configuration = try CareRecordConfiguration.load(path: fixture.folder.appendingPathComponent("care-record.yaml").path)
        var readOnly = Configuration()
        readOnly.readonly = true
        let database = try DatabaseQueue(path: try #require(configuration.databasePath), configuration: readOnly)
        let candidates = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT nhsNumber FROM clinicalEntry WHERE resourceType = 'AllergyIntolerance' AND sourceId = 'gp-a81001' ORDER BY nhsNumber")
        }
        for nhs in candidates {
            guard let state = try await fixture.repository.patientState(try #require(NHSNumber(nhs))) else { continue }
            if state.registeredPractice == "A81001", state.restriction == .none, !state.consentsInForce(at: Date()).isEmpty { return nhs }
        }
        throw CLIError("the fixture region has no patient with allergies and consent at A81001")
    }

    /// The display texts of a patient's allergies, read from the record itself.
    static func allergyTexts(_ fixture: RegionFixture, nhs: String) async throws -> [String] {
        let entries = try await fixture.repository.clinicalEntries(.allergyIntolerance, patient: try #require(NHSNumber(nhs)), page: PageRequest(offset: 0, count: 200))
        return try entries.items.map { entry in
            let allergy = try FHIRJSON.decode(AllergyIntolerance.self, from: entry.json)
            return try #require(allergy.code?.coding?.first?.display ?? allergy.code?.text)
        }
    }

    func signedToken(_ fixture: RegionFixture, sub: String, name: String, ods: String, role: String, registration: String? = nil, nhs: String? = nil) async throws -> String {
        var claims = TestKeys.claims(sub: sub, ods: ods, role: role, registration: registration, nhsNumber: nhs)
        claims.name = name
        return try await fixture.keys.token(claims)
    }

    @Test("a patient signs in with #access_token and sees their allergies (with source and refresh), their sharing choice, a named GP's access and a nurse's emergency reason; an opted-out patient sees the opted-out message")
    func developmentSignIn() async throws {
        let chromium = try Chromium.require()
        let fixture = try await RegionFixture.shared()
        let nhs = try await Self.patientWithAllergiesAtA81001(fixture)
        let optedOut = try fixture.nhs(\.hospitalOptedOut)
        let allergies = try await Self.allergyTexts(fixture, nhs: nhs)
        try #require(!allergies.isEmpty, "the patient has allergies to show")
        let names = try Self.organisationNames(fixture)
        let store = try temporaryAuditStore()
        let output = try TestOutput.folder("PortalBrowserTests")

        try await withPortal(names: names, store: store, fixture: fixture) { api, portalPort in
            // Earlier in the day: the patient's GP reads their allergies; a hospital nurse overrides in an emergency.
            let gp = try await signedToken(fixture, sub: "dr.jones", name: "Dr Sarah Jones", ods: "A81001", role: "doctor", registration: "GMC-7012345")
            let nurse = try await signedToken(fixture, sub: "nurse.evans", name: "Nurse Tom Evans", ods: "RJR", role: "nurse", registration: "NMC-12A3456B")
            try await Application(router: api.buildRouter()).test(.router) { client in
                let read = try await client.execute(uri: "/AllergyIntolerance?patient=\(nhs)", method: .get, headers: [.authorization: "Bearer \(gp)"]) { $0 }
                #expect(read.status == .ok)
                let override = try await client.execute(
                    uri: "/Condition?patient=\(nhs)", method: .get,
                    headers: [.authorization: "Bearer \(nurse)", HTTPField.Name("X-Purpose-Of-Use")!: "BTG", HTTPField.Name("X-Access-Reason")!: "Collapsed in town, <no> notes"]) { $0 }
                #expect(override.status == .ok)
            }

            let patientToken = try await signedToken(fixture, sub: "patient-\(nhs)", name: "A patient", ods: "A81001", role: "patient", nhs: nhs)
            let url = "http://127.0.0.1:\(portalPort)/index.html#access_token=\(patientToken)"
            let dom = try await chromium.dumpDOM(url)
            #expect(dom.contains(#"data-state="ready""#), "\(dom.suffix(3000))")
            for allergy in allergies {
                #expect(dom.contains(Self.escaped(allergy)), "allergy \(allergy) shown")
            }
            #expect(dom.contains("From <strong>Hoole Road Surgery (A81001)</strong>. Their records were last copied into your shared record on "))
            #expect(dom.contains(#"data-choice="consented""#))
            #expect(dom.contains("<td>Dr Sarah Jones</td><td>Doctor</td><td>Hoole Road Surgery (A81001)</td><td>your allergies</td><td>Seen</td>"))
            #expect(dom.contains("<td>Nurse Tom Evans</td><td>Nurse</td><td>Countess of Chester Hospital (RJR)</td><td>your health conditions</td>"))
            // The reason is shown as text: its angle brackets stay text, not markup.
            #expect(dom.contains("Reason given: Collapsed in town, &lt;no&gt; notes"))
            #expect(!dom.contains(patientToken), "the token is not put into the page")
            try await chromium.screenshot(url, to: output.appendingPathComponent("portal-record.png"), height: 2700)

            let optedOutToken = try await signedToken(fixture, sub: "patient-\(optedOut)", name: "A patient", ods: "A81001", role: "patient", nhs: optedOut)
            let optedOutURL = "http://127.0.0.1:\(portalPort)/#access_token=\(optedOutToken)"
            let refused = try await chromium.dumpDOM(optedOutURL)
            #expect(refused.contains(#"data-state="opted-out""#), "\(refused.suffix(3000))")
            #expect(refused.contains(#"<p id="opted-out-message" class="verbatim">The patient has declined to have an electronic shared record.</p>"#))
            #expect(refused.contains(#"<section id="allergies" class="panel" hidden="" aria-labelledby="allergies-title">"#), "no record shown")
            #expect(refused.contains("Who has looked at your record</h2>"))
            try await chromium.screenshot(optedOutURL, to: output.appendingPathComponent("portal-opted-out.png"))
        }

        // Through the browser, every read was the patient's own, audited with its request (CORS preflights aside).
        var records: [AuditRecord] = []
        for sequence in Int64(1)...max(1, try await store.verify().records) {
            if let record = try await store.record(sequence: sequence) { records.append(record) }
        }
        let patientReads = records.filter { $0.userRole == "patient" }
        #expect(patientReads.count >= 7, "\(patientReads.map { "\($0.method) \($0.path) \($0.status)" })")
        #expect(patientReads.allSatisfy { $0.method == "GET" })
    }

    @Test("SMART sign-in: the portal discovers the endpoints, sends a PKCE S256 challenge, and the token endpoint gets the verifier that matches it")
    func smartSignIn() async throws {
        let chromium = try Chromium.require()
        let fixture = try await RegionFixture.shared()
        let nhs = try await Self.patientWithAllergiesAtA81001(fixture)
        let allergies = try await Self.allergyTexts(fixture, nhs: nhs)
        let patientToken = try await signedToken(fixture, sub: "patient-\(nhs)", name: "A patient", ods: "A81001", role: "patient", nhs: nhs)
        let authorization = AuthorizationServerTestDouble(accessToken: patientToken, patient: nhs)
        let store = try temporaryAuditStore()
        let names = try Self.organisationNames(fixture)

        let (idpPort, apiPort, portalPort) = (try PostgresServer.freePort(), try PostgresServer.freePort(), try PostgresServer.freePort())
        let portalOrigin = "http://127.0.0.1:\(portalPort)"
        let idp = "http://127.0.0.1:\(idpPort)"
        authorization.configure(clientID: "portal-test", redirectURI: "\(portalOrigin)/index.html", portalOrigin: portalOrigin)
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(), participating: fixture.participating,
            baseURL: RegionFixture.baseURL,
            settings: APISettings(
                smart: SMARTConfiguration(issuer: TestKeys.issuer, authorizationEndpoint: "\(idp)/authorize", tokenEndpoint: "\(idp)/token"),
                cors: CORSSettings(allowedOrigins: [portalOrigin]), organisationNames: names))
        let portal = PortalServer(
            folder: Self.portalFolder,
            configuration: PortalConfiguration(apiBaseURL: "http://127.0.0.1:\(apiPort)", clientId: "portal-test", developmentSignIn: false),
            connectOrigins: ["http://127.0.0.1:\(apiPort)", idp])
        let logger = Self.quietLogger()
        // whileServing's own port is not used: each server's address is needed by the others before any starts.
        try await whileServing({ _, onRunning in try authorization.application(port: idpPort, logger: logger, onRunning: onRunning) }) { _ in
            try await whileServing({ _, onRunning in try api.buildApplication(host: "127.0.0.1", port: apiPort, logger: logger, onRunning: onRunning) }) { _ in
                try await whileServing({ _, onRunning in try portal.application(port: portalPort, logger: logger, onRunning: onRunning) }) { _ in
                    let dom = try await chromium.dumpDOM("\(portalOrigin)/index.html?sign-in=smart")
                    #expect(dom.contains(#"data-state="ready""#), "\(dom.suffix(3000))")
                    for allergy in allergies {
                        #expect(dom.contains(Self.escaped(allergy)))
                    }
                }
            }
        }
        let exchange = authorization.exchanges()
        #expect(exchange.authorizations == 1)
        #expect(exchange.tokensIssued == 1, "the verifier matched the S256 challenge")
        #expect(exchange.refusals.isEmpty, "\(exchange.refusals)")
    }

    /// The portal on an origin the API allows (CORS), the API on a socket, both with the fixture's data and `store`.
    func withPortal(
        names: [String: String], store: any AuditStore, fixture: RegionFixture,
        _ body: (CareRecordAPI, _ portalPort: Int) async throws -> Void
    ) async throws {
        let apiPort = try PostgresServer.freePort()
        let portalPort = try PostgresServer.freePort()
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(), participating: fixture.participating,
            baseURL: RegionFixture.baseURL,
            settings: APISettings(cors: CORSSettings(allowedOrigins: ["http://127.0.0.1:\(portalPort)"]), organisationNames: names))
        let portal = PortalServer(
            folder: Self.portalFolder, configuration: PortalConfiguration(apiBaseURL: "http://127.0.0.1:\(apiPort)", developmentSignIn: true),
            connectOrigins: ["http://127.0.0.1:\(apiPort)"])
        let logger = Self.quietLogger()
        try await whileServing({ _, onRunning in try portal.application(port: portalPort, logger: logger, onRunning: onRunning) }) { _ in
            try await whileServing({ _, onRunning in try api.buildApplication(host: "127.0.0.1", port: apiPort, logger: logger, onRunning: onRunning) }) { _ in
                try await body(api, portalPort)
            }
        }
    }
}
