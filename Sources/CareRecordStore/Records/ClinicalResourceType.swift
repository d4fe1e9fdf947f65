/// The clinical resource types served per patient.
public enum ClinicalResourceType: String, CaseIterable, Sendable, Codable {
    case allergyIntolerance = "AllergyIntolerance"
    case condition = "Condition"
    case medicationStatement = "MedicationStatement"
}
