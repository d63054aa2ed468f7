import CMRCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Verifies a log in one streaming pass over its mapped bytes: each line's canonical form,
/// the `seq` sequence, the `prev` hash chain, the clocks, and the RFC 6962 roots against every
/// checkpoint in `<log>.checkpoints` and an optional trusted checkpoint.
public struct AuditVerifier: Sendable {
    /// The key checkpoints must be signed by; without it signatures are not checked.
    public var publicKey: NoteVerifier?
    /// A checkpoint the auditor kept (a signed note): the log must still contain it.
    public var trustedCheckpoint: SignedNote?
    /// Wall time may step back this much within one boot before it is a break (NTP steps).
    public var wallClockToleranceMilliseconds: Int64 = 1000
    /// Also decode every record fully against the schema (slower).
    public var strict = false
    /// How far ahead to look for a missing `seq` to tell reordering from deletion.
    public var reorderWindow = 1000
    public static let maximumBreaks = 1000

    public init(publicKey: NoteVerifier? = nil, trustedCheckpoint: SignedNote? = nil) {
        self.publicKey = publicKey
        self.trustedCheckpoint = trustedCheckpoint
    }

    /// Verifies the log at `logPath` and the checkpoints beside it.
    public static func verify(
        logPath: String, publicKey: NoteVerifier? = nil, trustedCheckpoint: SignedNote? = nil
    ) throws(AuditError) -> AuditVerification {
        try AuditVerifier(publicKey: publicKey, trustedCheckpoint: trustedCheckpoint).verify(logPath: logPath)
    }

    /// Verifies the log at `logPath` against the checkpoints in `checkpointsPath`
    /// (default `<log>.checkpoints`).
    public func verify(logPath: String, checkpointsPath: String? = nil) throws(AuditError) -> AuditVerification {
        let log = try MappedLog(path: logPath)
        var result = AuditVerification()
        result.signaturesChecked = publicKey != nil
        let notes = try AuditCheckpointer.readCheckpoints(path: checkpointsPath ?? logPath + ".checkpoints")
        result.checkpointCount = notes.count

        // Checkpoints to compare, with where they came from.
        var claims: [(checkpoint: AuditCheckpoint, source: String)] = []
        for (index, note) in notes.enumerated() {
            let source = "checkpoint \(index + 1) of \(notes.count)"
            guard let checkpoint = try? AuditCheckpoint(body: note.body) else {
                add(&result, AuditBreak(kind: .badSignature, expected: "a checkpoint body", found: "\(source) is malformed"))
                continue
            }
            if let publicKey {
                guard note.isSigned(by: publicKey) else {
                    let names = note.signatures.map(\.name).joined(separator: ", ")
                    add(&result, AuditBreak(kind: .badSignature, expected: "a valid signature by \(publicKey.name) on \(source) (size \(checkpoint.size))",
                                            found: "signatures by \(names) that do not verify"))
                    continue
                }
                result.latestSignedSize = max(result.latestSignedSize ?? 0, checkpoint.size)
            }
            claims.append((checkpoint, source))
        }
        if publicKey == nil && !notes.isEmpty {
            result.notes.append("checkpoint signatures not checked: no verifier key given")
        }
        if let trustedCheckpoint {
            if let publicKey, !trustedCheckpoint.isSigned(by: publicKey) {
                add(&result, AuditBreak(kind: .badSignature, expected: "a valid signature by \(publicKey.name) on the trusted checkpoint", found: "none"))
            } else if let checkpoint = try? AuditCheckpoint(body: trustedCheckpoint.body) {
                claims.append((checkpoint, "the trusted checkpoint"))
            } else {
                add(&result, AuditBreak(kind: .badSignature, expected: "a checkpoint body in the trusted checkpoint", found: "a malformed note"))
            }
        }
        let wanted = Set(claims.map(\.checkpoint.size))
        var roots: [UInt64: [UInt8]] = [:]
        if wanted.contains(0) { roots[0] = MerkleTree.emptyRoot }

        walk(log, &result, wantedSizes: wanted, roots: &roots)

        for (checkpoint, source) in claims {
            if checkpoint.size > result.lineCount {
                add(&result, AuditBreak(kind: .truncatedTail, line: result.lineCount + 1, expected: "at least \(checkpoint.size) records (\(source))",
                                        found: "\(result.lineCount)"))
            } else if let root = roots[checkpoint.size], !ConstantTime.equals(root, checkpoint.rootHash) {
                add(&result, AuditBreak(kind: .fork, line: checkpoint.size, expected: "root \(Hex.encode(checkpoint.rootHash)) of the first \(checkpoint.size) records (\(source))",
                                        found: "root \(Hex.encode(root))"))
            }
        }
        return result
    }

    func add(_ result: inout AuditVerification, _ item: AuditBreak) {
        if result.breaks.count < Self.maximumBreaks { result.breaks.append(item) } else { result.omittedBreaks += 1 }
    }

    /// A line's facts.
    struct Line {
        var number: UInt64
        var range: Range<Int>
        var summary: RecordScanner.Summary?
        var error: String?
    }

    func examine(_ log: MappedLog, at offset: Int, number: UInt64) -> (Line, terminated: Bool)? {
        guard let (range, terminated) = log.line(at: offset) else { return nil }
        let bytes = log[range]
        var line = Line(number: number, range: range)
        switch RecordScanner.scan(bytes) {
        case let .success(summary):
            if summary.version != AuditRecord.currentVersion {
                line.error = "record version \(summary.version)"
            } else if summary.prev.count != 64 || summary.time.count != 24 {
                line.error = "malformed prev or time"
            } else if strict, case let .failure(error) = Result(catching: { () throws(AuditRecord.FormatError) in try AuditRecord(canonicalLine: bytes) }) {
                line.error = error.description
            } else {
                line.summary = summary
            }
        case let .failure(error):
            line.error = "not a canonical record: \(error)"
        }
        return (line, terminated)
    }

    func walk(_ log: MappedLog, _ result: inout AuditVerification, wantedSizes: Set<UInt64>, roots: inout [UInt64: [UInt8]]) {
        var builder = MerkleTree.Builder()
        var expectedSeq: UInt64 = 0
        var expectedPrev: [UInt8]? = Array(AuditRecord.genesisPrevious.utf8)  // hex; nil after an unreadable line
        var moved = Set<UInt64>()  // seqs already reported as reordered
        var duplicatePrev: [UInt8]?  // hash of a duplicate of the last record, which the next may chain to
        var headHash: [UInt8]?
        var clocks: [[UInt8]: (wall: Int64, monotonic: UInt64, seq: UInt64)] = [:]
        var lastBoot: [UInt8] = []
        var lastClock: (wall: Int64, monotonic: UInt64, seq: UInt64)?
        let genesis = Array(AuditRecord.genesisPrevious.utf8)
        var offset = 0
        var number: UInt64 = 0
        var firstTimeRange: Range<Int>?
        var lastTimeRange: Range<Int>?

        while let (line, terminated) = examine(log, at: offset, number: number + 1) {
            number += 1
            offset = line.range.upperBound + 1
            guard terminated else {
                add(&result, AuditBreak(kind: .tornLine, line: line.number, seq: expectedSeq,
                                        expected: "a line ending in a newline", found: "\(line.range.count) bytes without one (the next append quarantines them)"))
                break
            }
            let bytes = log[line.range]
            let hash = MerkleTree.leafHash(bytes)
            builder.append(leafHash: hash)
            if wantedSizes.contains(builder.size) { roots[builder.size] = builder.root }

            guard let summary = line.summary else {
                add(&result, AuditBreak(kind: .modifiedRecord, line: line.number, seq: expectedSeq, expected: "a canonical record", found: line.error ?? "?"))
                expectedPrev = nil
                expectedSeq += 1
                continue
            }
            let seq = summary.seq
            let prev = Array(log[summary.prev.shifted(by: line.range.lowerBound)])
            let hashHex = Array(Hex.encode(hash).utf8)

            if seq < expectedSeq {
                if moved.remove(seq) == nil {
                    if seq + 1 == expectedSeq { duplicatePrev = hashHex }
                    add(&result, AuditBreak(kind: .insertedRecord, line: line.number, seq: seq,
                                            expected: "record \(expectedSeq)", found: "record \(seq) again"))
                }
                continue
            }
            defer { duplicatePrev = nil }
            if seq == expectedSeq, let chained = expectedPrev, prev != chained, prev != duplicatePrev {
                // Either this line is forged (the next one chains to the record before it), or
                // the record before it was changed after this one was written.
                if let (next, _) = examine(log, at: offset, number: line.number + 1), let nextSummary = next.summary,
                   nextSummary.seq == seq, Array(log[nextSummary.prev.shifted(by: next.range.lowerBound)]) == chained {
                    add(&result, AuditBreak(kind: .insertedRecord, line: line.number, seq: seq,
                                            expected: "record \(seq) with prev \(String(decoding: chained, as: UTF8.self))",
                                            found: "a record that the next line does not chain to"))
                    continue
                }
                add(&result, AuditBreak(kind: .modifiedRecord, line: line.number - 1, seq: seq == 0 ? 0 : seq - 1,
                                        expected: "record hash \(String(decoding: prev, as: UTF8.self)) (the prev of record \(seq))",
                                        found: seq == 0 ? "record 0 with a non-zero prev" : "hash \(String(decoding: chained, as: UTF8.self))"))
            } else if seq > expectedSeq {
                if let found = lookAhead(log, from: offset, number: line.number, for: expectedSeq) {
                    add(&result, AuditBreak(kind: .reorderedRecords, line: line.number, seq: seq,
                                            expected: "record \(expectedSeq)", found: "record \(seq); record \(expectedSeq) is at line \(found)"))
                    for missing in expectedSeq..<seq { moved.insert(missing) }
                } else {
                    add(&result, AuditBreak(kind: .deletedRecord, line: line.number, seq: expectedSeq,
                                            expected: "record \(expectedSeq)", found: seq - expectedSeq == 1 ? "record \(seq): 1 record missing" : "record \(seq): \(seq - expectedSeq) records missing"))
                }
            } else if seq == 0 && prev != genesis && expectedPrev == nil {
                add(&result, AuditBreak(kind: .modifiedRecord, line: line.number, seq: 0, expected: "prev of 64 zeros", found: String(decoding: prev, as: UTF8.self)))
            }
            expectedSeq = seq + 1
            expectedPrev = hashHex
            headHash = hashHex
            result.recordCount += 1
            if firstTimeRange == nil { firstTimeRange = summary.time.shifted(by: line.range.lowerBound) }
            lastTimeRange = summary.time.shifted(by: line.range.lowerBound)

            // Clocks, compared only within one boot.
            guard let wall = AuditTime.parse(log[summary.time.shifted(by: line.range.lowerBound)]) else {
                add(&result, AuditBreak(kind: .modifiedRecord, line: line.number, seq: seq, expected: "an RFC 3339 UTC time with milliseconds", found: "an invalid time"))
                continue
            }
            let bootRange = summary.boot.shifted(by: line.range.lowerBound)
            let sameBoot = bootRange.count == lastBoot.count && lastBoot.withUnsafeBytes { $0.elementsEqual(log[bootRange]) }
            if !sameBoot {
                if let lastClock { clocks[lastBoot] = lastClock }
                lastBoot = Array(log[bootRange])
                lastClock = clocks[lastBoot]
            }
            if let previous = lastClock {
                if summary.monotonic < previous.monotonic {
                    add(&result, AuditBreak(kind: .timeWentBackwards, line: line.number, seq: seq,
                                            expected: "monotonic ≥ \(previous.monotonic) ns (record \(previous.seq), same boot)", found: "\(summary.monotonic) ns"))
                } else if wall + wallClockToleranceMilliseconds < previous.wall {
                    add(&result, AuditBreak(kind: .timeWentBackwards, line: line.number, seq: seq,
                                            expected: "time ≥ \(AuditTime.format(milliseconds: previous.wall)) (record \(previous.seq), same boot) less \(wallClockToleranceMilliseconds) ms",
                                            found: AuditTime.format(milliseconds: wall)))
                }
            }
            lastClock = (wall, summary.monotonic, seq)

            if summary.event.count < 80, isRecovery(log[summary.event.shifted(by: line.range.lowerBound)]) {
                result.recoveries.append(seq)
            }
        }
        result.lineCount = builder.size
        result.rootHash = Hex.encode(builder.root)
        result.headHash = headHash.map { String(decoding: $0, as: UTF8.self) }
        result.firstTime = firstTimeRange.map { String(decoding: log[$0], as: UTF8.self) }
        result.lastTime = lastTimeRange.map { String(decoding: log[$0], as: UTF8.self) }
    }

    private static let recoveryEvent = Array(#"{"action":"U","code":"110101","name":"recovery"}"#.utf8)

    func isRecovery(_ event: UnsafeRawBufferPointer) -> Bool { event.elementsEqual(Self.recoveryEvent) }

    /// The line number of the record with `seq` within `reorderWindow` lines after `offset`.
    func lookAhead(_ log: MappedLog, from start: Int, number: UInt64, for seq: UInt64) -> UInt64? {
        var offset = start
        var current = number
        for _ in 0..<reorderWindow {
            guard let (line, terminated) = examine(log, at: offset, number: current + 1), terminated else { return nil }
            current += 1
            offset = line.range.upperBound + 1
            if line.summary?.seq == seq { return line.number }
        }
        return nil
    }
}

extension Range<Int> {
    func shifted(by amount: Int) -> Range<Int> { (lowerBound + amount)..<(upperBound + amount) }
}

extension Result where Failure == AuditRecord.FormatError {
    init(catching body: () throws(AuditRecord.FormatError) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}
