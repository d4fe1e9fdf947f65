import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Where the record's hot queries get their prepared statements: GRDB's own statement cache on a GRDB connection (the
/// import's questions, GRDB reads), or a `SnapshotConnection` of the serving path.
protocol SQLiteStatementSource {
    /// The statement, and whatever must stay alive for it to stay valid (GRDB's `Statement`, which finalizes it when it
    /// goes: GRDB's cache lets go of it on a schema change or `releaseMemory()`, which rows being read must survive).
    func prepared(_ sql: String) throws -> (statement: SQLiteStatement, owner: AnyObject?)
}

extension Database: SQLiteStatementSource {
    func prepared(_ sql: String) throws -> (statement: SQLiteStatement, owner: AnyObject?) {
        let statement = try cachedStatement(sql: sql)
        return (statement.sqliteStatement, statement)
    }
}

/// SQLite copies a bound text before the call returns (its `SQLITE_TRANSIENT`, which C macros keep from Swift).
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A value bound to a statement's parameter.
enum SQLiteArgument {
    case text(String)
    case integer(Int)
    /// Bound as GRDB binds `Data`: a blob.
    case blob(Data)
    case null

    static func text(_ value: String?) -> SQLiteArgument { value.map { .text($0) } ?? .null }
    static func integer(_ value: Int?) -> SQLiteArgument { value.map { .integer($0) } ?? .null }
}

/// The rows of one prepared statement, stepped through SQLite's C API and read by column position with GRDB's own
/// conversions (`Date(sqliteStatement:index:)` and the like), so values are exactly what GRDB's `Row` gives, without its
/// row objects, cursors and argument arrays (issue 12). The statement is reset when the rows go.
/// Rows of one statement are read one set at a time: rows of the same SQL asked for while earlier rows are still being
/// read would reset them under their reader, so that is refused (`SQLITE_MISUSE`).
struct SQLiteRows: ~Copyable {
    private let statement: SQLiteStatement
    private let owner: AnyObject?

    init(_ source: some SQLiteStatementSource, _ sql: String, _ arguments: [SQLiteArgument]) throws {
        let (statement, owner) = try source.prepared(sql)
        guard sqlite3_stmt_busy(statement) == 0 else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "rows of this statement are still being read")
        }
        try Self.bind(statement, arguments)
        self.statement = statement
        self.owner = owner
    }

    private static func bind(_ statement: SQLiteStatement, _ arguments: [SQLiteArgument]) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, argument) in arguments.enumerated() {
            let index = CInt(offset + 1)
            let code: CInt
            switch argument {
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, transient)
            case .integer(let value): code = sqlite3_bind_int64(statement, index, Int64(value))
            case .blob(let data):
                code = data.withUnsafeBytes { bytes in
                    // A non-nil pointer even for an empty value: SQLite binds a nil pointer as NULL, GRDB an empty blob.
                    sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), CInt(bytes.count), transient)
                }
            case .null: code = sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else { throw error(code, statement) }
        }
    }

    /// Convenience for the common case: text arguments only.
    init(_ source: some SQLiteStatementSource, _ sql: String, _ texts: String...) throws {
        try self.init(source, sql, texts.map { .text($0) })
    }

    deinit { sqlite3_reset(statement) }

    /// Runs a statement that returns no rows (an insert).
    static func execute(_ source: some SQLiteStatementSource, _ sql: String, _ arguments: [SQLiteArgument]) throws {
        var rows = try SQLiteRows(source, sql, arguments)
        while try rows.next() {}
    }

    /// Steps to the next row: false after the last.
    mutating func next() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw Self.error(code, statement)
        }
    }

    func isNull(_ column: CInt) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func string(_ column: CInt) throws -> String {
        guard !isNull(column) else { throw Self.mismatch(column, statement) }
        return String(sqliteStatement: statement, index: column)
    }

    func optionalString(_ column: CInt) -> String? { isNull(column) ? nil : String(sqliteStatement: statement, index: column) }

    func int64(_ column: CInt) throws -> Int64 {
        guard !isNull(column) else { throw Self.mismatch(column, statement) }
        return Int64(sqliteStatement: statement, index: column)
    }

    func bool(_ column: CInt) throws -> Bool { try int64(column) != 0 }

    func data(_ column: CInt) throws -> Data {
        guard !isNull(column) else { throw Self.mismatch(column, statement) }
        return Data(sqliteStatement: statement, index: column)
    }

    func date(_ column: CInt) throws -> Date {
        guard let date = try optionalDate(column) else { throw Self.mismatch(column, statement) }
        return date
    }

    /// nil for NULL; a value that is no date throws rather than passing as none (an end date read as none would leave a
    /// period open).
    func optionalDate(_ column: CInt) throws -> Date? {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return nil
        case SQLITE_TEXT:
            // GRDB's own storage format, read without `Calendar` (`StoredDate`); anything else as GRDB reads it.
            if let text = sqlite3_column_text(statement, column), sqlite3_column_bytes(statement, column) == StoredDate.length,
               let date = StoredDate.parse(UnsafeRawBufferPointer(start: text, count: StoredDate.length)) {
                return date
            }
        default: break
        }
        guard let date = Date(sqliteStatement: statement, index: column) else { throw Self.mismatch(column, statement) }
        return date
    }

    private static func error(_ code: CInt, _ statement: SQLiteStatement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))))
    }

    /// A column that cannot hold what the schema says it holds (GRDB's `Row` would stop the process).
    private static func mismatch(_ column: CInt, _ statement: SQLiteStatement) -> DatabaseError {
        let name = sqlite3_column_name(statement, column).map { String(cString: $0) } ?? "\(column)"
        return DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unexpected value in column \(name)")
    }
}

/// One read-only connection of the serving path, with its statements prepared once. Used by one thread at a time: the
/// `SnapshotReaders` pool hands it out to one read and takes it back after.
final class SnapshotConnection: SQLiteStatementSource, @unchecked Sendable {
    let handle: SQLiteConnection
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens `path` read-only as the record's GRDB readers are opened: the decisions file attached, the file mapped.
    init(path: String, decisionsPath: String, busyTimeout: TimeInterval) throws {
        var handle: SQLiteConnection?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_close_v2(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, CInt(busyTimeout * 1000))
        do {
            try execute(SQLiteCareRecordRepository.readerMapSizeSQL)
            var attach = try SQLiteRows(self, "ATTACH DATABASE ? AS decisions", decisionsPath)
            while try attach.next() {}
        } catch {
            close()
            throw error
        }
    }

    /// Prepared once; finalized when the connection closes (so it needs no owner).
    func prepared(_ sql: String) throws -> (statement: SQLiteStatement, owner: AnyObject?) {
        if let statement = statements[sql] { return (statement, nil) }
        var statement: SQLiteStatement?
        let code = sqlite3_prepare_v3(handle, sql, -1, CUnsignedInt(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(handle)))
        }
        statements[sql] = statement
        return (statement, nil)
    }

    /// Runs a statement that returns no rows worth reading.
    func execute(_ sql: String) throws {
        var rows = try SQLiteRows(self, sql, [])
        while try rows.next() {}
    }

    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        sqlite3_close_v2(handle)
    }
}

/// The serving path's read transactions (issue 12): a pool of `SnapshotConnection`s, each read one `BEGIN` ... `COMMIT` on
/// the calling thread, with every statement (the transaction's own too) prepared once per connection. GRDB's `read` took
/// a reader through its pool and dispatch queue, parsed `BEGIN`, a savepoint, `PRAGMA schema_version` and `COMMIT` on every
/// call, and built row objects: together a sixth of a `GET /Patient`'s CPU. Snapshot isolation is the same: one
/// transaction, one WAL snapshot of each file (the record and the attached decisions), both taken as the read begins; a
/// read never waits for the writer.
///
/// A read never waits for a connection either: when none is idle, another is opened (at most one per thread reading at
/// once); at most `idleLimit` are kept.
final class SnapshotReaders: Sendable {
    private let path: String
    private let decisionsPath: String
    private let busyTimeout: TimeInterval
    private let idle = Mutex<[SnapshotConnection]>([])
    static let idleLimit = 8

    init(path: String, decisionsPath: String, busyTimeout: TimeInterval) {
        self.path = path
        self.decisionsPath = decisionsPath
        self.busyTimeout = busyTimeout
    }

    deinit {
        idle.withLock { connections in
            for connection in connections { connection.close() }
            connections.removeAll()
        }
    }

    /// Connections kept for the next reads.
    var idleCount: Int { idle.withLock { $0.count } }

    /// Runs `body` in one read transaction on the calling thread.
    func read<T>(_ body: (SnapshotConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? SnapshotConnection(path: path, decisionsPath: decisionsPath, busyTimeout: busyTimeout)
        let result: T
        do {
            try connection.execute("BEGIN DEFERRED TRANSACTION")
            // SQLite starts a file's read snapshot at the transaction's first read of that file. One statement reading both
            // starts both now, so a decision committed to the decisions file while this read runs is not seen halfway.
            try connection.execute("SELECT 1 FROM main.sqlite_master, decisions.sqlite_master LIMIT 1")
            result = try body(connection)
            try connection.execute("COMMIT")
        } catch {
            // A connection whose transaction could not be closed is not reused.
            if sqlite3_get_autocommit(connection.handle) == 0, (try? connection.execute("ROLLBACK")) == nil || sqlite3_get_autocommit(connection.handle) == 0 {
                connection.close()
            } else {
                giveBack(connection)
            }
            throw error
        }
        giveBack(connection)
        return result
    }

    private func giveBack(_ connection: SnapshotConnection) {
        let kept = idle.withLock { connections in
            guard connections.count < Self.idleLimit else { return false }
            connections.append(connection)
            return true
        }
        if !kept { connection.close() }
    }
}
