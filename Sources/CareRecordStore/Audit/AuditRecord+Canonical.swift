/// The canonical JSON the audit chain hashes (issue 12): the bytes `JSONEncoder` gives with `.sortedKeys` and
/// `.withoutEscapingSlashes`, without its own hash fields, written by hand so each request's record is hashed without a
/// general-purpose encoder. Chains written before this (hashed through `JSONEncoder`) verify unchanged:
/// `AuditCanonicalJSONTests` checks the two byte for byte over generated records, including every control character.
extension AuditRecord {
    /// Keys in `JSONEncoder`'s sorted order (by UTF-8 bytes); `nil` optionals are left out as `encodeIfPresent` does.
    func canonicalJSON() -> [UInt8] {
        var out = CanonicalJSONWriter()
        out.string("accessReason", accessReason)
        out.string("attemptedPatientNHS", attemptedPatientNHS)
        out.string("basis", basis)
        out.string("clientAddress", clientAddress)
        out.string("clientRequestID", clientRequestID)
        out.string("correlationID", correlationID)
        out.string("hash", "")
        out.string("interaction", interaction)
        out.string("method", method)
        out.string("path", path)
        out.string("patientNHS", patientNHS)
        out.string("patientRegisteredOds", patientRegisteredOds)
        out.string("previousHash", "")
        out.string("purposeOfUse", purposeOfUse)
        out.string("reasonCode", reasonCode)
        out.string("recorded", recorded)
        out.string("requestID", requestID)
        out.string("resourceType", resourceType)
        out.string("returned", returned)
        out.string("reviewNote", reviewNote)
        out.integer("reviewOf", reviewOf)
        out.string("reviewOutcome", reviewOutcome)
        out.integer("sequence", sequence)
        out.integer("status", Int64(status))
        out.integer("throttledCount", throttledCount.map(Int64.init))
        out.string("userName", userName)
        out.string("userOds", userOds)
        out.string("userRegistration", userRegistration)
        out.string("userRole", userRole)
        out.string("userSub", userSub)
        return out.finish()
    }
}

/// A JSON object written member by member in the caller's order, escaping strings as Foundation's `JSONEncoder` does
/// (`\"`, `\\`, `\b \t \n \f \r`, other control characters as lowercase `\u00xx`; `/` and non-ASCII as they are).
struct CanonicalJSONWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private static let hex = Array("0123456789abcdef".utf8)

    init() { bytes.reserveCapacity(640) }

    mutating func string(_ key: StaticString, _ value: String?) {
        guard var value else { return }
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8 { utf8 in
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case 0..<0x20:
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func integer(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    private mutating func key(_ key: StaticString) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
