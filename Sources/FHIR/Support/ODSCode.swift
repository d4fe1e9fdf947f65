/// Identifier systems and codes the service reads from upstream resources.
public enum FHIRSystems {
    /// ODS organisation codes.
    public static let odsOrganisation = "https://fhir.nhs.uk/Id/ods-organization-code"
    /// Consent scope codes.
    public static let consentScope = "http://terminology.hl7.org/CodeSystem/consentscope"
    /// Consent action codes.
    public static let consentAction = "http://terminology.hl7.org/CodeSystem/consentaction"
    /// SNOMED CT.
    public static let snomed = "http://snomed.info/sct"
    /// dm+d (the NHS dictionary of medicines and devices), as UK Core codes it.
    public static let dmd = "https://dmd.nhs.uk"
}
