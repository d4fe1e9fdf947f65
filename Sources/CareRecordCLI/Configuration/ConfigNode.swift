import Foundation

/// A mapping in the parsed configuration, with its dotted path for error messages.
struct ConfigNode {
    let values: [String: Any]
    let path: String

    init(_ document: Any?, path: String) throws {
        guard let values = document as? [String: Any] else {
            throw ConfigurationError(path.isEmpty ? "the configuration must be a mapping" : "\(path) must be a mapping")
        }
        self.values = values
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func allowOnly(_ keys: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ConfigurationError("unknown key '\(name(unknown))'")
        }
    }

    func map(_ key: String) throws -> ConfigNode {
        guard let node = try optionalMap(key) else { throw ConfigurationError("missing '\(name(key))'") }
        return node
    }

    func optionalMap(_ key: String) throws -> ConfigNode? {
        guard let value = values[key] else { return nil }
        return try ConfigNode(value, path: name(key))
    }

    func list(_ key: String) throws -> [ConfigNode] {
        guard let nodes = try optionalList(key), !nodes.isEmpty else { throw ConfigurationError("missing '\(name(key))' (a non-empty list)") }
        return nodes
    }

    func optionalList(_ key: String) throws -> [ConfigNode]? {
        guard let value = values[key] else { return nil }
        guard let items = value as? [Any] else { throw ConfigurationError("\(name(key)) must be a list") }
        return try items.enumerated().map { try ConfigNode($1, path: "\(name(key))[\($0)]") }
    }

    func string(_ key: String) throws -> String {
        guard let value = try optionalString(key) else { throw ConfigurationError("missing '\(name(key))'") }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = values[key] else { return nil }
        if let text = value as? String, !text.isEmpty { return text }
        if let number = value as? Int { return String(number) }
        throw ConfigurationError("\(name(key)) must be a non-empty string")
    }

    /// A number (whole or not); an explicit `null` reads as absent.
    func optionalNumber(_ key: String) throws -> Double? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        if let number = value as? Int { return Double(number) }
        if let number = value as? Double { return number }
        throw ConfigurationError("\(name(key)) must be a number")
    }

    /// Whether the key is present (with any value, `null` included).
    func has(_ key: String) -> Bool { values[key] != nil }

    /// Whether the key is present with an explicit `null`.
    func isNull(_ key: String) -> Bool { values[key] is NSNull }

    func optionalStringList(_ key: String) throws -> [String]? {
        guard let value = values[key] else { return nil }
        guard let items = value as? [Any] else { throw ConfigurationError("\(name(key)) must be a list") }
        return try items.enumerated().map { index, item in
            if let text = item as? String, !text.isEmpty { return text }
            throw ConfigurationError("\(name(key))[\(index)] must be a non-empty string")
        }
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        guard let flag = value as? Bool else { throw ConfigurationError("\(name(key)) must be true or false") }
        return flag
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        guard let number = value as? Int else { throw ConfigurationError("\(name(key)) must be a whole number") }
        return number
    }
}
