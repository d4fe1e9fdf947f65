import FHIR
import Foundation

/// A Consent read on the import's fast path (issue 12), as `FastEntry` reads clinical entries: checked against the model's
/// elements and written back exactly as decoding into `Consent` and encoding it with `FHIRJSON` would write it, with the
/// mapping's `id`, `meta` and patient reference filled in. The elements the mapping's rules read are handed to them as the
/// model's own values (`upstream`), so the rules are the Foundation path's, unchanged: a Consent line cost about five
/// clinical entries' on the Foundation path (a GP source's profile: 15% of the samples for one line in ten).
///
/// Nil whenever the line is not plain JSON or does not decode as the model, and for a provision with nested provisions
/// (left out of the schema): such lines take the Foundation path, which decides as before.
struct FastConsent {
    /// The upstream Consent as far as the mapping reads it: `id`, `meta.lastUpdated`, `status`, `scope`, `patient`,
    /// `dateTime` and `provision`; the other elements are left empty (they are served from the template, never read).
    let upstream: Consent
    private let template: ServedTemplate

    init?(_ line: Data) {
        guard let json = PlainJSON([UInt8](line)), case .object(let members) = json.root,
              json.string(json.member("resourceType", of: members)) == Consent.resourceType,
              let template = ServedTemplate(json, members: members, schema: .consent, open: ["id", "meta", "patient"])
        else { return nil }
        // Every element decodes as the model (the template checked them): what follows only reads them.
        var provision: Consent.Provision?
        if case .object(let fields)? = json.member("provision", of: members) {
            if let nested = json.member("provision", of: fields), !nested.isNull { return nil }
            var read = Consent.Provision()
            read.type = json.string(json.member("type", of: fields))
            read.period = json.period(json.member("period", of: fields))
            if case .array(let actors)? = json.member("actor", of: fields) {
                // Objects with both elements, as the template checked.
                read.actor = actors.compactMap { actor in
                    guard case .object(let parts) = actor, let role = json.codeableConcept(json.member("role", of: parts)),
                          let reference = json.reference(json.member("reference", of: parts))
                    else { return nil }
                    return Consent.Actor(role: role, reference: reference)
                }
            }
            if case .array(let actions)? = json.member("action", of: fields) { read.action = actions.compactMap(json.codeableConcept) }
            provision = read
        }
        var consent = Consent(
            status: json.string(json.member("status", of: members)) ?? "",
            scope: json.codeableConcept(json.member("scope", of: members)) ?? CodeableConcept(), category: [],
            patient: json.reference(json.member("patient", of: members)))
        consent.id = json.string(json.member("id", of: members))
        consent.meta = json.metaLastUpdated(of: members).map { Meta(lastUpdated: $0) }
        consent.dateTime = json.string(json.member("dateTime", of: members))
        consent.provision = provision
        upstream = consent
        self.template = template
    }

    /// The served JSON with its open elements filled: `id`, `meta` and the patient reference, as Foundation writes them;
    /// nil when a value would need escaping (then the caller takes the Foundation path).
    func served(id: String, meta: Meta, patient: Reference) -> Data? {
        template.filled(id: id, meta: meta, patient: patient)
    }
}

extension PlainJSON {
    /// The model's value of an element the schema has checked; nil when absent or null.
    func codeableConcept(_ value: Value?) -> CodeableConcept? {
        guard case .object(let fields)? = value else { return nil }
        var concept = CodeableConcept(text: string(member("text", of: fields)))
        if case .array(let codings)? = member("coding", of: fields) {
            concept.coding = codings.compactMap { coding -> Coding? in
                guard case .object(let parts) = coding else { return nil }
                var read = Coding(system: string(member("system", of: parts)), code: string(member("code", of: parts)), display: string(member("display", of: parts)))
                read.version = string(member("version", of: parts))
                return read
            }
        }
        return concept
    }

    func reference(_ value: Value?) -> Reference? {
        guard case .object(let fields)? = value else { return nil }
        return Reference(
            reference: string(member("reference", of: fields)), type: string(member("type", of: fields)),
            identifier: identifier(member("identifier", of: fields)), display: string(member("display", of: fields)))
    }

    func identifier(_ value: Value?) -> Identifier? {
        guard case .object(let fields)? = value else { return nil }
        var identifier = Identifier(use: string(member("use", of: fields)), system: string(member("system", of: fields)), value: string(member("value", of: fields)))
        identifier.type = codeableConcept(member("type", of: fields))
        identifier.period = period(member("period", of: fields))
        return identifier
    }

    func period(_ value: Value?) -> Period? {
        guard case .object(let fields)? = value else { return nil }
        return Period(start: string(member("start", of: fields)), end: string(member("end", of: fields)))
    }
}
