import Foundation
import DICOMCore
import DICOMNetwork

/// `cmr send` to a DICOM storage SCP: an association per session, proposing the plan's group and,
/// when `window` > 1, an asynchronous operations window of `window` invoked, 1 performed.
struct DIMSEDestination: StoreDestination {
    var address: DIMSEAddress
    var callingAETitle: String
    var timeouts: NetworkTimeouts
    var plan: PresentationPlan
    var limiter: RateLimiter?
    var transcode: SendRequest.TranscodePolicy
    /// Requests kept in flight on one association when the peer grants it (1: no window proposed).
    var window = 1
    /// Opens the connection (a socket to `address` unless a test gives another transport).
    var connect: (@Sendable (_ timeout: Double) throws -> Transport)?

    var name: String { address.description }

    func parameters(group: Int, deadline: Deadline) -> AssociationParameters {
        var t = timeouts
        t.connect = deadline.bound(t.connect) ?? t.connect
        t.association = deadline.bound(t.association) ?? t.association
        t.dimse = deadline.bound(t.dimse)
        var p = AssociationParameters(callingAETitle: callingAETitle, calledAETitle: address.aeTitle, timeouts: t)
        for proposal in plan.groups[group].proposals {
            p.propose(proposal.abstractSyntax, transferSyntaxes: proposal.transferSyntaxes)
        }
        if window > 1 {
            p.asynchronousOperationsWindow = AsynchronousOperationsWindow(maximumInvoked: UInt16(min(window, Int(UInt16.max))), maximumPerformed: 1)
        }
        return p
    }

    func openSession(group: Int, deadline: Deadline) throws(CMRError) -> StoreSession {
        let p = parameters(group: group, deadline: deadline)
        do {
            var transport: Transport = try connect?(p.timeouts.connect)
                ?? SocketTransport.connect(host: address.host, port: address.port, timeout: p.timeouts.connect)
            if let limiter { transport = ThrottledTransport(transport, limiter: limiter) }
            let association = try Association.request(over: transport, parameters: p)
            return DIMSEStoreSession(association: association, peer: name, transcode: transcode, window: window)
        } catch {
            throw CMRError.network(error, peer: name)
        }
    }
}

/// One association storing files with C-STORE, transcoding what the peer refuses in the file's
/// syntax; up to `window` requests outstanding, their responses matched by Message ID.
final class DIMSEStoreSession: StoreSession {
    let association: Association
    let peer: String
    let transcode: SendRequest.TranscodePolicy
    let window: Int
    /// Sent and not answered, by Message ID: the file, its record so far, when its request began.
    private var inFlight: [UInt16: (item: SendItem, record: TransferRecord, start: UInt64)] = [:]
    private var order: [UInt16] = []
    /// The file whose request failed on the way out (the session is over then).
    private var cut: SendItem?

    init(association: Association, peer: String, transcode: SendRequest.TranscodePolicy, window: Int = 1) {
        self.association = association
        self.peer = peer
        self.transcode = transcode
        self.window = max(1, min(window, association.operationsWindow))
    }

    var outstanding: [SendItem] { order.compactMap { inFlight[$0]?.item } + (cut.map { [$0] } ?? []) }

    func submit(_ item: SendItem) throws(CMRError) -> TransferRecord? {
        let start = DispatchTime.now().uptimeNanoseconds
        var r = item.record(.failed)
        r.bytes = item.bytes
        r.transferSyntax = item.source.transferSyntaxUID
        do {
            let id: UInt16
            if association.context(for: item.source.sopClassUID, transferSyntax: item.source.transferSyntaxUID) != nil {
                id = try association.sendStore(file: item.source)
            } else {
                let accepted = association.acceptedContexts.filter { $0.abstractSyntax == item.source.sopClassUID }.map(\.transferSyntax)
                guard !accepted.isEmpty else {
                    r.comment = "the peer accepted no presentation context for its SOP class \(item.source.sopClassUID)"
                    r.exitStatus = 77
                    return Self.finish(r, start)
                }
                guard transcode == .auto else {
                    r.comment = "the peer refused \(TransferSyntax(uid: item.source.transferSyntaxUID).name) for it (--transcode never)"
                    r.exitStatus = 77
                    return Self.finish(r, start)
                }
                let encoded: (bytes: [UInt8], transferSyntax: String)
                do {
                    encoded = try SendTranscoder.transcode(item.source, into: accepted)
                } catch {
                    r.comment = "the peer refused \(TransferSyntax(uid: item.source.transferSyntaxUID).name) for it; cannot transcode: \(error)"
                    r.exitStatus = 77
                    return Self.finish(r, start)
                }
                r.transferSyntax = encoded.transferSyntax
                r.transcodedFrom = item.source.transferSyntaxUID
                r.bytes = Int64(encoded.bytes.count)
                // Held only while its request is sent; nothing of it stays in flight.
                id = try association.sendStore(dataSet: encoded.bytes, sopClass: item.source.sopClassUID,
                                               sopInstance: item.source.sopInstanceUID, transferSyntax: encoded.transferSyntax)
            }
            inFlight[id] = (item, r, start)
            order.append(id)
            return nil
        } catch {
            // The file whose request was cut is as unacknowledged as the others in flight.
            cut = item
            throw CMRError.network(error, peer: peer)
        }
    }

    func responseIsWaiting() throws(CMRError) -> Bool {
        do { return try association.responseIsWaiting() } catch { throw CMRError.network(error, peer: peer) }
    }

    func nextResponse() throws(CMRError) -> (item: SendItem, record: TransferRecord) {
        let answer: (messageID: UInt16, response: DIMSEResponse)
        do {
            answer = try association.receiveResponse(among: Set(order), expecting: .cStoreRSP)
        } catch {
            throw CMRError.network(error, peer: peer)
        }
        guard let (item, record, start) = inFlight.removeValue(forKey: answer.messageID) else { preconditionFailure("matched an outstanding ID") }
        order.removeAll { $0 == answer.messageID }
        var r = record
        let response = answer.response
        r.peerStatus = String(response.status.hex.dropLast())
        r.comment = response.errorComment
        switch response.status.category {
        case .success: r.status = .stored
        case .warning: r.status = .warning
        default:
            r.status = .failed
            r.exitStatus = 1
            if r.comment == nil { r.comment = "refused by the peer with status \(response.status.hex)" }
        }
        return (item, Self.finish(r, start))
    }

    private static func finish(_ record: TransferRecord, _ start: UInt64) -> TransferRecord {
        var r = record
        r.ms = Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        return r
    }

    func close() {
        do { try association.release() } catch { association.abort() }
    }
}
