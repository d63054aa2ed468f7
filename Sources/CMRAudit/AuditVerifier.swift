import CMRCrypto
import Dispatch
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
        return examine(log, range: range, terminated: terminated, number: number)
    }

    func examine(_ log: MappedLog, range: Range<Int>, terminated: Bool, number: UInt64) -> (Line, terminated: Bool) {
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

        var ahead = LinesAhead(verifier: self, log: log, wantedSizes: wantedSizes)

        while let (line, terminated, hash, hashHex) = ahead.next() {
            number += 1
            offset = line.range.upperBound + 1
            guard terminated else {
                add(&result, AuditBreak(kind: .tornLine, line: line.number, seq: expectedSeq,
                                        expected: "a line ending in a newline", found: "\(line.range.count) bytes without one (the next append quarantines them)"))
                break
            }
            if let subtree = ahead.subtreeRoot {
                // The batch's leaves were combined off the main thread: add them at its last line.
                if ahead.atBatchEnd {
                    builder.append(subtreeRoot: subtree, size: UInt64(LinesAhead.batchSize))
                    if wantedSizes.contains(builder.size) { roots[builder.size] = builder.root }
                }
            } else {
                builder.append(leafHash: hash)
                if wantedSizes.contains(builder.size) { roots[builder.size] = builder.root }
            }

            guard let summary = line.summary else {
                add(&result, AuditBreak(kind: .modifiedRecord, line: line.number, seq: expectedSeq, expected: "a canonical record", found: line.error ?? "?"))
                expectedPrev = nil
                expectedSeq += 1
                continue
            }
            let seq = summary.seq
            let prevBytes = log[summary.prev.shifted(by: line.range.lowerBound)]
            var prev: [UInt8] { Array(prevBytes) }  // copied only to report a break

            if seq < expectedSeq {
                if moved.remove(seq) == nil {
                    if seq + 1 == expectedSeq { duplicatePrev = hashHex }
                    add(&result, AuditBreak(kind: .insertedRecord, line: line.number, seq: seq,
                                            expected: "record \(expectedSeq)", found: "record \(seq) again"))
                }
                continue
            }
            defer { duplicatePrev = nil }
            if seq == expectedSeq, let chained = expectedPrev, !Self.same(prevBytes, chained), !Self.same(prevBytes, duplicatePrev) {
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
            } else if seq == 0 && !Self.same(prevBytes, genesis) && expectedPrev == nil {
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

    /// Whether `bytes` equal `other` (false if `other` is nil).
    @inline(__always)
    static func same(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]?) -> Bool {
        guard let other, other.count == bytes.count else { return false }
        return other.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, other.count) == 0 }
    }

    /// The lines of a log in order, each examined and hashed ahead of the sequential checks in
    /// batches spread over all cores: the canonical-form scan and SHA-256 of one line do not
    /// depend on any other line, only the chain, sequence and clock checks do. The next batch
    /// is prepared while the caller checks the current one.
    struct LinesAhead {
        typealias Examined = (line: Line, terminated: Bool, hash: [UInt8], hashHex: [UInt8])
        static let batchSize = 8192  // a power of two
        static let subtreeChunks = 8  // a power of two dividing batchSize

        /// One batch of consecutive lines.
        struct Batch: @unchecked Sendable {
            var lines: [Examined] = []
            /// The root of the batch's leaves when it is a whole aligned subtree of `batchSize`
            /// complete lines with no checkpoint size inside it; nil when its lines must be added
            /// to the tree one by one.
            var subtreeRoot: [UInt8]?
            var end = 0  // where the next batch starts
            var finished = false  // no batch after this one
        }

        /// A batch being prepared on another thread.
        final class Pending: @unchecked Sendable {
            let done = DispatchSemaphore(value: 0)
            var batch = Batch()
        }

        /// What preparing a batch reads: the mapping is read-only.
        struct Source: @unchecked Sendable {
            let verifier: AuditVerifier
            let log: MappedLog
            let wantedSizes: Set<UInt64>
        }

        let source: Source
        var current = Batch()
        var index = 0
        var firstLeaf: UInt64 = 0  // the current batch's first line, counting from 0
        var pending: Pending?

        init(verifier: AuditVerifier, log: MappedLog, wantedSizes: Set<UInt64>) {
            source = Source(verifier: verifier, log: log, wantedSizes: wantedSizes)
        }

        var subtreeRoot: [UInt8]? { current.subtreeRoot }

        /// Whether the line last returned by `next` is the last of its batch.
        var atBatchEnd: Bool { index == current.lines.count }

        mutating func next() -> Examined? {
            if index == current.lines.count {
                guard !current.finished else { return nil }
                let start = current.end
                firstLeaf += UInt64(current.lines.count)
                if let pending {
                    pending.done.wait()
                    current = pending.batch
                    self.pending = nil
                } else {
                    current = Self.prepare(source, offset: start, firstLeaf: firstLeaf)
                }
                index = 0
                if !current.finished {
                    let upcoming = Pending(), source = self.source
                    let offset = current.end, leaf = firstLeaf + UInt64(current.lines.count)
                    DispatchQueue.global().async {
                        upcoming.batch = Self.prepare(source, offset: offset, firstLeaf: leaf)
                        upcoming.done.signal()
                    }
                    pending = upcoming
                }
                guard !current.lines.isEmpty else { return nil }
            }
            defer { index += 1 }
            return current.lines[index]
        }

        /// Examines and hashes up to `batchSize` lines from `offset`, the first being line
        /// `firstLeaf + 1`.
        static func prepare(_ source: Source, offset start: Int, firstLeaf: UInt64) -> Batch {
            let log = source.log
            var batch = Batch()
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(batchSize)
            var offset = start
            var lastTerminated = true
            while ranges.count < batchSize, let (range, terminated) = log.line(at: offset) {
                ranges.append(range)
                offset = range.upperBound + 1
                if !terminated { lastTerminated = false; break }
            }
            batch.end = offset
            batch.finished = ranges.count < batchSize || !lastTerminated
            let count = ranges.count
            let output = UnsafeMutableBufferPointer<Examined>.allocate(capacity: max(count, 1))
            defer { output.deallocate() }
            let whole = count == batchSize && lastTerminated
                && !source.wantedSizes.contains { $0 > firstLeaf && $0 < firstLeaf + UInt64(count) }
            // A power of two dividing `batchSize` when the batch is whole.
            let chunks = count < 256 ? 1 : whole ? subtreeChunks : min(count / 128, 4 * ProcessInfoLite.cores)
            let chunkRoots = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: chunks)
            chunkRoots.initialize(repeating: [])
            defer { chunkRoots.deinitialize(); chunkRoots.deallocate() }
            // Each chunk writes only its own slots of `output` and `chunkRoots`.
            struct Shared: @unchecked Sendable {
                let output: UnsafeMutablePointer<Examined>
                let chunkRoots: UnsafeMutablePointer<[UInt8]>
            }
            let lines = ranges, endsTerminated = lastTerminated
            let shared = Shared(output: output.baseAddress!, chunkRoots: chunkRoots.baseAddress!)
            let work = { @Sendable (chunk: Int) in
                let log = source.log
                let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
                var subtree = MerkleTree.Builder()
                for position in start..<end {
                    let range = lines[position]
                    let terminated = position + 1 < count || endsTerminated
                    let (line, _) = source.verifier.examine(log, range: range, terminated: terminated, number: firstLeaf + 1 + UInt64(position))
                    let hash = MerkleTree.leafHash(log[range])
                    (shared.output + position).initialize(to: (line, terminated, hash, Hex.lowercaseBytes(hash)))
                    if whole { subtree.append(leafHash: hash) }
                }
                if whole { shared.chunkRoots[chunk] = subtree.root }
            }
            if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
            if whole {
                var combined = MerkleTree.Builder()
                for chunk in 0..<chunks { combined.append(subtreeRoot: chunkRoots[chunk], size: UInt64(count / chunks)) }
                batch.subtreeRoot = combined.root
            }
            batch.lines = Array(UnsafeMutableBufferPointer(rebasing: output[0..<count]))
            output.baseAddress!.deinitialize(count: count)
            return batch
        }
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

/// The number of cores to spread work over.
enum ProcessInfoLite {
    static let cores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

extension Hex {
    /// `bytes` as lowercase hex digits (ASCII bytes), as `encode` spells them.
    static func lowercaseBytes(_ bytes: [UInt8]) -> [UInt8] {
        let digits: StaticString = "0123456789abcdef"
        return [UInt8](unsafeUninitializedCapacity: bytes.count * 2) { buffer, initialized in
            digits.withUTF8Buffer { digits in
                for (index, byte) in bytes.enumerated() {
                    buffer[2 * index] = digits[Int(byte >> 4)]
                    buffer[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
            }
            initialized = bytes.count * 2
        }
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
