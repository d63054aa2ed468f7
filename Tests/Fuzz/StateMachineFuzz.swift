// libFuzzer entry for the association state machine (scripts/fuzz statemachine): random event
// sequences on either side. Invariants: never traps; a refused event leaves the state as it was;
// the state stays one of Sta1–Sta13; after a transport close the machine is in Sta1 or Sta2.
import DICOMNetwork

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let events: [AssociationEvent] = [.associateRequest, .transportConnected, .associateACReceived, .associateRJReceived,
                                      .transportIndication, .associateRQReceived(acceptable: true), .associateRQReceived(acceptable: false),
                                      .associateAccept, .associateReject, .pDataRequest, .pDataReceived, .releaseRequest,
                                      .releaseRQReceived, .releaseRPReceived, .releaseResponse, .abortRequest, .abortReceived,
                                      .transportClosed, .artimExpired, .invalidPDU]
    var machine = AssociationStateMachine(isRequestor: data[0] & 1 == 0)
    for i in 1..<size {
        let before = machine.state
        let event = events[Int(data[i]) % events.count]
        let actions = machine.handle(event)
        if actions.contains(where: { if case .notAllowed = $0 { true } else { false } }) {
            precondition(machine.state == before, "a refused event changed the state")
        }
        if event == .transportClosed && before != .Sta1 && !actions.contains(where: { if case .notAllowed = $0 { true } else { false } }) {
            precondition(machine.state == .Sta1, "transport closed but the machine is in \(machine.state)")
        }
    }
    return 0
}
