import FHIR
import Foundation

/// A resource as served: its FHIR JSON (with `id` and `meta` already set) and what the API needs to index it.
public struct StoredResource: Sendable, Hashable {
    public var id: String
    public var resourceType: String
    public var nhsNumber: NHSNumber
    public var sourceId: String?
    public var versionId: String
    public var lastUpdated: Date
    public var json: Data

    public init(id: String, resourceType: String, nhsNumber: NHSNumber, sourceId: String?, versionId: String, lastUpdated: Date, json: Data) {
        self.id = id
        self.resourceType = resourceType
        self.nhsNumber = nhsNumber
        self.sourceId = sourceId
        self.versionId = versionId
        self.lastUpdated = lastUpdated
        self.json = json
    }
}
