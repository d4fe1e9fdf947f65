import Hummingbird

/// The benchmark's yardstick (issue 12): a bare Hummingbird 2 server answering `GET /Patient/{id}` with one fixed Patient
/// (`Examples/resources/Patient-served.json`, 1 KB), no token, no decision, no audit. `Benchmarks/read-benchmark.sh` runs it beside
/// `care-record serve` in the same run and prints the ratio. Not part of the product: `bare-hummingbird [port]`.
let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 18099
let patient = ByteBuffer(string: #"""
{
  "address": [
    {
      "city": "Chester",
      "country": "GB",
      "line": [
        "95 Boughton"
      ],
      "postalCode": "CH4 4AB",
      "use": "home"
    }
  ],
  "birthDate": "1970-10-25",
  "gender": "female",
  "generalPractitioner": [
    {
      "display": "Hoole Road Surgery",
      "identifier": {
        "system": "https://fhir.nhs.uk/Id/ods-organization-code",
        "value": "A81001"
      },
      "type": "Organization"
    }
  ],
  "id": "9000000009",
  "identifier": [
    {
      "system": "https://fhir.nhs.uk/Id/nhs-number",
      "value": "9000000009"
    }
  ],
  "meta": {
    "lastUpdated": "2026-11-20T08:30:00.000Z",
    "source": "urn:care-record:source:gp-a81001",
    "versionId": "a28398e409d23206"
  },
  "name": [
    {
      "family": "Lewis",
      "given": [
        "Harry"
      ],
      "use": "official"
    }
  ],
  "resourceType": "Patient",
  "telecom": [
    {
      "system": "phone",
      "use": "home",
      "value": "01244 000000"
    }
  ]
}
"""#)
let router = Router()
router.get("Patient/:id") { _, _ -> Response in
    Response(status: .ok, headers: [.contentType: "application/fhir+json"], body: .init(byteBuffer: patient))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
