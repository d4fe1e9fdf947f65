import FHIR

/// The organisations, sources and coded content of the synthetic region.
enum RegionCatalogue {
    struct Organisation {
        let ods: String
        let name: String
        let type: String
        let sourceID: String
    }

    static let practices = [
        Organisation(ods: "A81001", name: "Hoole Road Surgery", type: "gp-practice", sourceID: "gp-a81001"),
        Organisation(ods: "A81002", name: "Boughton Health Centre", type: "gp-practice", sourceID: "gp-a81002"),
        Organisation(ods: "A81003", name: "Upton Village Surgery", type: "gp-practice", sourceID: "gp-a81003"),
    ]
    static let hospital = Organisation(ods: "RJR", name: "Countess of Chester Hospital", type: "acute-trust", sourceID: "acute-rjr")
    static let community = Organisation(ods: "RXA", name: "Cheshire and Wirral Partnership", type: "community-trust", sourceID: "community-rxa")
    static let socialCare = Organisation(ods: "CH01", name: "Cheshire West Social Care", type: "social-care", sourceID: "social-ch01")
    /// Participates in the region but sends no data (its staff read only).
    static let hospice = Organisation(ods: "H1001", name: "Hospice of the Good Shepherd", type: "hospice", sourceID: "")
    static var sources: [Organisation] { practices + [hospital, community, socialCare] }
    static var organisations: [Organisation] { sources + [hospice] }

    typealias Code = (code: String, display: String)

    static let conditions: [Code] = [
        ("44054006", "Diabetes mellitus type 2"), ("38341003", "Hypertensive disorder, systemic arterial"),
        ("195967001", "Asthma"), ("13645005", "Chronic obstructive lung disease"), ("49436004", "Atrial fibrillation"),
        ("35489007", "Depressive disorder"), ("709044004", "Chronic kidney disease"), ("53741008", "Coronary arteriosclerosis"),
        ("26929004", "Alzheimer's disease"), ("396275006", "Osteoarthritis"), ("84114007", "Heart failure"),
        ("230690007", "Cerebrovascular accident"),
    ]
    static let hospitalDiagnoses: [Code] = [
        ("71620000", "Fracture of femur"), ("233604007", "Pneumonia"), ("22298006", "Myocardial infarction"),
        ("68566005", "Urinary tract infectious disease"), ("40930008", "Hypothyroidism"),
    ]
    static let communityProblems: [Code] = [
        ("95344007", "Venous ulcer of lower limb"), ("129839007", "At risk for falls"), ("386807006", "Memory impairment"),
    ]
    static let allergens: [Code] = [
        ("373270004", "Penicillin -class of antibiotic-"), ("387207008", "Ibuprofen"), ("387458008", "Aspirin"),
        ("256349002", "Peanut - dietary"), ("111088007", "Latex"), ("372687004", "Amoxicillin"),
    ]
    static let reactions: [Code] = [
        ("271807003", "Eruption of skin"), ("39579001", "Anaphylaxis"), ("267036007", "Dyspnea"), ("418290006", "Itching"),
    ]
    static let medications: [(code: String, display: String, dose: String)] = [
        ("322236009", "Paracetamol 500mg tablets", "Two tablets up to four times a day when required"),
        ("319283006", "Amlodipine 5mg tablets", "One tablet once a day"),
        ("325278007", "Metformin 500mg modified-release tablets", "One tablet twice a day with meals"),
        ("320000009", "Atorvastatin 20mg tablets", "One tablet at night"),
        ("317972000", "Omeprazole 20mg gastro-resistant capsules", "One capsule once a day"),
        ("318906001", "Ramipril 5mg capsules", "One capsule once a day"),
        ("320151004", "Salbutamol 100micrograms/dose inhaler CFC free", "Two puffs when required"),
    ]
    static let givenNames = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Freya", "Lily", "Jack", "Oliver", "Harry", "George",
                             "Noah", "Arthur", "Leo", "Oscar", "Margaret", "Dorothy", "Joan", "Eric", "Kenneth", "Brian", "Aisha", "Mohammed"]
    static let familyNames = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Thomas", "Roberts", "Johnson",
                              "Hughes", "Edwards", "Wright", "Walker", "Green", "Hall", "Wood", "Patel", "Khan", "Lewis"]
    static let streets = ["Hoole Road", "Faulkner Street", "Boughton", "Liverpool Road", "Upton Lane", "Brook Street", "Lache Lane", "Tarvin Road"]
}
