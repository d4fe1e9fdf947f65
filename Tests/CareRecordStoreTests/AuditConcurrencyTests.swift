import CareRecordServer
import CareRecordStore
import FHIR
import Foundation
import Testing

/// Several writers of one log on every backend: two nodes (two stores, two connection pools or SQLite connections)
/// appending at once, directly and through the API's group-committing `AuditLog`, still make one chain.
@Suite("Concurrent appends to one audit log")
struct AuditConcurrencyTests {
    static let patient = NHSNumber("9434765919")!

    static func read(_ requestID: String) -> AuditRecord {
        var record = AuditRecord(
            recorded: "2026-11-27T10:00:00.000Z", requestID: requestID, method: "GET", path: "/Patient/9434765919",
            interaction: "read", status: 200, reasonCode: "OK")
        record.patientNHS = patient.value
        return record
    }

    /// The whole log is 1...count in order, each request once, and the chain verifies from both nodes.
    func expectOneChain(_ nodes: [TestAuditLog], requestIDs: Set<String>) async throws {
        for node in nodes {
            #expect(try await node.store.verify() == AuditVerification(records: Int64(requestIDs.count), problem: nil))
        }
        let all = try await nodes[0].store.allRecords(patient: Self.patient)
        #expect(all.map(\.sequence) == Array(1...Int64(requestIDs.count)))
        #expect(all.count == requestIDs.count && Set(all.map(\.requestID)) == requestIDs, "every record once")
        #expect(try await nodes[1].store.head()?.sequence == Int64(requestIDs.count))
    }

    @Test("two nodes appending at once in small batches make one chain, with no gaps or duplicates", arguments: AuditBackend.all)
    func twoNodes(backend: AuditBackend) async throws {
        try await backend.withLog { first in
            try await first.withSecondNode { second in
                let batches = try await withThrowingTaskGroup(of: [[AuditRecord]].self) { group in
                    for (node, log) in [first, second].enumerated() {
                        for worker in 0..<4 {
                            group.addTask {
                                // 50 records per worker in batches of 1 to 5: 2 nodes x 4 workers = 400 records.
                                var stored: [[AuditRecord]] = []
                                var sent = 0
                                while sent < 50 {
                                    let size = min(1 + stored.count % 5, 50 - sent)
                                    let batch = (sent..<sent + size).map { Self.read("node\(node)-worker\(worker)-\($0)") }
                                    do {
                                        stored.append(try await log.store.append(batch))
                                    } catch {
                                        // The driver's description is generic; the reflection says which error (seen once in a full parallel run).
                                        Issue.record("append failed: \(String(reflecting: error))")
                                        throw error
                                    }
                                    sent += size
                                }
                                return stored
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                for batch in batches {
                    #expect(batch.map(\.sequence) == Array(batch[0].sequence..<batch[0].sequence + Int64(batch.count)), "a batch is contiguous")
                }
                try await expectOneChain([first, second], requestIDs: Set(batches.joined().map(\.requestID)))
            }
        }
    }

    @Test("the API's group commit amortises commits on two nodes sharing the log, and every record is committed", arguments: AuditBackend.all)
    func groupCommit(backend: AuditBackend) async throws {
        try await backend.withLog { first in
            try await first.withSecondNode { second in
                let logs = [AuditLog(store: first.store), AuditLog(store: second.store)]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (node, log) in logs.enumerated() {
                        for index in 0..<150 {
                            group.addTask { try await log.append(Self.read("node\(node)-\(index)")) }
                        }
                    }
                    try await group.waitForAll()
                }
                for log in logs {
                    let statistics = await log.statistics
                    #expect(statistics.records == 150 && statistics.failures == 0)
                    #expect(statistics.transactions < 150, "records waiting during a commit go in together: \(statistics)")
                }
                try await expectOneChain([first, second], requestIDs: Set((0..<2).flatMap { node in (0..<150).map { "node\(node)-\($0)" } }))
                let heads = [await logs[0].head?.sequence, await logs[1].head?.sequence]
                #expect(heads.contains(300), "one node's latest commit is the chain head: \(heads)")
            }
        }
    }
}
