import FHIR

/// A user whose token has been verified (C4).
public struct AuthenticatedUser: Sendable, Hashable {
    public var sub: String
    public var name: String?
    /// The organisation the user acts for.
    public var ods: String
    public var role: UserRole
    /// Professional registration number; required for clinical roles.
    public var registration: String?
    /// The patient's own NHS number, for role `patient` only.
    public var nhsNumber: NHSNumber?
    /// The token's SMART scopes; nil when it carries no `scope` claim (the role alone decides then, unless scopes are required).
    public var scopes: SMARTScopes?

    public init(
        sub: String, name: String? = nil, ods: String, role: UserRole, registration: String? = nil, nhsNumber: NHSNumber? = nil,
        scopes: SMARTScopes? = nil
    ) {
        self.sub = sub
        self.name = name
        self.ods = ods
        self.role = role
        self.registration = registration
        self.nhsNumber = nhsNumber
        self.scopes = scopes
    }
}
