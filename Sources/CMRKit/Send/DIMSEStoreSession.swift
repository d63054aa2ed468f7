import Foundation
import DICOMCore
import DICOMNetwork

/// `cmr send` to a DICOM storage SCP: an association per session, proposing the plan's group.
struct DIMSEDestination: StoreDestination {
    var address: DIMSEAddress
    var callingAETitle: String
    var timeouts: NetworkTimeouts
    var plan: PresentationPlan
    var limiter: RateLimiter?
    var transcode: SendRequest.TranscodePolicy

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
        return p
    }

    func openSession(group: Int, deadline: Deadline) throws(CMRError) -> StoreSession {
        let p = parameters(group: group, deadline: deadline)
        do {
            var transport: Transport = try SocketTransport.connect(host: address.host, port: address.port, timeout: p.timeouts.connect)
            if let limiter { transport = ThrottledTransport(transport, limiter: limiter) }
            let association = try Association.request(over: transport, parameters: p)
            return DIMSEStoreSession(association: association, peer: name, transcode: transcode)
        } catch {
            throw CMRError.network(error, peer: name)
        }
    }
}

/// One association storing files with C-STORE, transcoding what the peer refuses in the file's syntax.
final class DIMSEStoreSession: StoreSession {
    let association: Association
    let peer: String
    let transcode: SendRequest.TranscodePolicy

    init(association: Association, peer: String, transcode: SendRequest.TranscodePolicy) {
        self.association = association
        self.peer = peer
        self.transcode = transcode
    }

    func store(_ item: SendItem) throws(CMRError) -> TransferRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        var r = item.record(.failed)
        r.bytes = item.bytes
        r.transferSyntax = item.source.transferSyntaxUID
        do {
            let response: DIMSEResponse
            if association.context(for: item.source.sopClassUID, transferSyntax: item.source.transferSyntaxUID) != nil {
                response = try association.store(file: item.source)
            } else {
                let accepted = association.acceptedContexts.filter { $0.abstractSyntax == item.source.sopClassUID }.map(\.transferSyntax)
                guard !accepted.isEmpty else {
                    r.comment = "the peer accepted no presentation context for its SOP class \(item.source.sopClassUID)"
                    r.exitStatus = 77
                    return finish(r, start)
                }
                guard transcode == .auto else {
                    r.comment = "the peer refused \(TransferSyntax(uid: item.source.transferSyntaxUID).name) for it (--transcode never)"
                    r.exitStatus = 77
                    return finish(r, start)
                }
                let encoded: (bytes: [UInt8], transferSyntax: String)
                do {
                    encoded = try SendTranscoder.transcode(item.source, into: accepted)
                } catch {
                    r.comment = "the peer refused \(TransferSyntax(uid: item.source.transferSyntaxUID).name) for it; cannot transcode: \(error)"
                    r.exitStatus = 77
                    return finish(r, start)
                }
                response = try association.store(dataSet: encoded.bytes, sopClass: item.source.sopClassUID,
                                                 sopInstance: item.source.sopInstanceUID, transferSyntax: encoded.transferSyntax)
                r.transferSyntax = encoded.transferSyntax
                r.transcodedFrom = item.source.transferSyntaxUID
                r.bytes = Int64(encoded.bytes.count)
            }
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
            return finish(r, start)
        } catch {
            throw CMRError.network(error, peer: peer)
        }
    }

    private func finish(_ record: TransferRecord, _ start: UInt64) -> TransferRecord {
        var r = record
        r.ms = Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        return r
    }

    func close() {
        do { try association.release() } catch { association.abort() }
    }
}
