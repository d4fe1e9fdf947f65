/// The SMART App Launch scopes a token carries in its `scope` claim (space-separated). They narrow, never widen, what the
/// user's role already allows: `user/<Type>.rs` or `user/*.rs` for staff, `patient/<Type>.rs` or `patient/*.rs` for a
/// patient (their own record only, as the role already says), `user/Consent.c` to record a decision. SMART v1 suffixes
/// (`.read`, `.write`, `.*`) are read as v2 permissions. `system/` scopes are never honoured: every access must be
/// attributable to a person. Scopes that name no resource (`openid`, `fhirUser`, `launch`, ...) grant nothing here.
public struct SMARTScopes: Sendable, Hashable {
    /// One resource scope: `context/type.permissions`.
    struct Grant: Sendable, Hashable {
        var context: String
        var type: String
        var permissions: Set<Character>
    }

    var grants: [Grant] = []
    /// Whether any `system/` scope was asked for (the token is then refused).
    public private(set) var hasSystemScope = false
    /// The claim as sent.
    public let claim: String

    public init(_ claim: String) {
        self.claim = claim
        for scope in claim.split(separator: " ") {
            guard let slash = scope.firstIndex(of: "/"), let dot = scope.lastIndex(of: ".") , slash < dot else { continue }
            let context = String(scope[..<slash])
            if context == "system" {
                hasSystemScope = true
                continue
            }
            guard context == "user" || context == "patient" else { continue }
            let type = String(scope[scope.index(after: slash)..<dot])
            let suffix = String(scope[scope.index(after: dot)...])
            // A granular scope (`?category=...`) cannot be honoured as asked: it grants nothing rather than more.
            guard !suffix.contains("?"), let permissions = Self.permissions(suffix) else { continue }
            grants.append(Grant(context: context, type: type, permissions: permissions))
        }
    }

    /// v2 `cruds` letters in that order, or a v1 suffix.
    static func permissions(_ suffix: String) -> Set<Character>? {
        switch suffix {
        case "read": return ["r", "s"]
        case "write": return ["c", "u", "d"]
        case "*": return ["c", "r", "u", "d", "s"]
        default:
            let order = Array("cruds")
            var position = 0
            for letter in suffix {
                guard let index = order[position...].firstIndex(of: letter) else { return nil }
                position = index + 1
            }
            return suffix.isEmpty ? nil : Set(suffix)
        }
    }

    /// Whether `permission` (`c`, `r`, `s`) on `type` is granted in `context` (`user` for staff, `patient` for a patient).
    public func permits(_ permission: Character, on type: String, context: String) -> Bool {
        grants.contains { $0.context == context && ($0.type == type || $0.type == "*") && $0.permissions.contains(permission) }
    }
}
