import Foundation
import DICOMCore
import DICOMNetwork

/// `cmr echo`: one C-ECHO on a new association, timed like ping (connect, associate, echo, release).
public struct EchoOperation: Sendable {
    /// One answer, as `--json` prints it.
    public struct Reply: Codable, Sendable, Equatable {
        public var peer: String
        public var seq: Int
        /// The DIMSE status as four hex digits.
        public var status: String
        public var comment: String?
        /// Round trip of the whole exchange, association included.
        public var ms: Double
        /// Of that, the C-ECHO request and response alone.
        public var echoMs: Double
        public var implementation: String?
    }

    public var address: DIMSEAddress
    public var callingAETitle: String
    public var timeouts: NetworkTimeouts

    public init(address: DIMSEAddress, callingAETitle: String, timeouts: NetworkTimeouts) {
        self.address = address
        self.callingAETitle = callingAETitle
        self.timeouts = timeouts
    }

    /// One echo; a peer that cannot be reached, rejects or breaks the protocol throws (69/75/76/77).
    public func ping(seq: Int) throws(CMRError) -> Reply {
        var p = AssociationParameters(callingAETitle: callingAETitle, calledAETitle: address.aeTitle, timeouts: timeouts)
        p.propose(verificationSOPClassUID, transferSyntaxes: [TransferSyntax.implicitVRLittleEndianUID, TransferSyntax.explicitVRLittleEndianUID])
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let association = try Association.request(host: address.host, port: address.port, parameters: p)
            let echoStart = DispatchTime.now().uptimeNanoseconds
            let response: DIMSEResponse
            do {
                response = try association.echo()
            } catch {
                association.abort()
                throw error
            }
            let echoEnd = DispatchTime.now().uptimeNanoseconds
            try association.release()
            let end = DispatchTime.now().uptimeNanoseconds
            return Reply(peer: address.description, seq: seq, status: String(response.status.hex.dropLast()),
                         comment: response.errorComment, ms: Double(end - start) / 1e6, echoMs: Double(echoEnd - echoStart) / 1e6,
                         implementation: association.acceptance.userInformation.implementationVersionName)
        } catch {
            throw CMRError.network(error, peer: address.description)
        }
    }
}

extension EchoOperation {
    /// A reply as one JSON line (sorted keys).
    public static func line(_ reply: Reply) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(reply)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
