import XCTest
@testable import DICOMNetwork

final class AssociationStateMachineTests: XCTestCase {
    /// PS3.8 Table 9-10, typed in from the standard: one row per event, one column per state
    /// (Sta1 … Sta13); "." where the table is empty.
    static let table = """
    Evt1  AE-1 .    .    .    .    .    .    .    .    .     .     .     .
    Evt2  .    .    .    AE-2 .    .    .    .    .    .     .     .     .
    Evt3  .    AA-1 AA-8 .    AE-3 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
    Evt4  .    AA-1 AA-8 .    AE-4 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
    Evt5  AE-5 .    .    .    .    .    .    .    .    .     .     .     .
    Evt6  .    AE-6 AA-8 .    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
    Evt7  .    .    AE-7 .    .    .    .    .    .    .     .     .     .
    Evt8  .    .    AE-8 .    .    .    .    .    .    .     .     .     .
    Evt9  .    .    .    .    .    DT-1 .    AR-7 .    .     .     .     .
    Evt10 .    AA-1 AA-8 .    AA-8 DT-2 AR-6 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
    Evt11 .    .    .    .    .    AR-1 .    .    .    .     .     .     .
    Evt12 .    AA-1 AA-8 .    AA-8 AR-2 AR-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
    Evt13 .    AA-1 AA-8 .    AA-8 AA-8 AR-3 AA-8 AA-8 AR-10 AR-3  AA-8  AA-6
    Evt14 .    .    .    .    .    .    .    AR-4 AR-9 .     .     AR-4  .
    Evt15 .    .    AA-1 AA-2 AA-1 AA-1 AA-1 AA-1 AA-1 AA-1  AA-1  AA-1  .
    Evt16 .    AA-2 AA-3 .    AA-3 AA-3 AA-3 AA-3 AA-3 AA-3  AA-3  AA-3  AA-2
    Evt17 .    AA-5 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4  AA-4  AA-4  AR-5
    Evt18 .    AA-2 .    .    .    .    .    .    .    .     .     .     AA-2
    Evt19 .    AA-1 AA-8 .    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
    """

    static let events: [AssociationEvent] = [
        .associateRequest, .transportConnected, .associateACReceived, .associateRJReceived, .transportIndication,
        .associateRQReceived(acceptable: true), .associateAccept, .associateReject, .pDataRequest, .pDataReceived,
        .releaseRequest, .releaseRQReceived, .releaseRPReceived, .releaseResponse, .abortRequest, .abortReceived,
        .transportClosed, .artimExpired, .invalidPDU,
    ]

    /// The state each action leads to (PS3.8 Tables 9-6 to 9-9); AR-8 depends on the side.
    static func nextState(_ action: String, requestor: Bool) -> AssociationState {
        switch action {
        case "AE-1": return .Sta4
        case "AE-2": return .Sta5
        case "AE-3", "AE-7", "DT-1", "DT-2": return .Sta6
        case "AE-4", "AR-3", "AR-5", "AA-2", "AA-3", "AA-4", "AA-5": return .Sta1
        case "AE-5": return .Sta2
        case "AE-6": return .Sta3
        case "AE-8", "AR-4", "AA-1", "AA-6", "AA-7", "AA-8": return .Sta13
        case "AR-1", "AR-6": return .Sta7
        case "AR-2", "AR-7": return .Sta8
        case "AR-8": return requestor ? .Sta9 : .Sta10
        case "AR-9": return .Sta11
        case "AR-10": return .Sta12
        default: fatalError(action)
        }
    }

    func testEveryStateAndEventPairFollowsTable9_10() {
        let rows = Self.table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows.count, 19)
        for (e, row) in rows.enumerated() {
            XCTAssertEqual(row[0], "Evt\(e + 1)")
            XCTAssertEqual(row.count, 14)
            let event = Self.events[e]
            XCTAssertEqual(event.number, e + 1)
            for state in AssociationState.allCases {
                let expected = row[state.rawValue]
                let name = AssociationStateMachine.transition(state, event)
                XCTAssertEqual(name?.rawValue ?? ".", expected, "\(state) × \(event)")
                for requestor in [true, false] {
                    var machine = AssociationStateMachine(state: state, isRequestor: requestor)
                    let actions = machine.handle(event)
                    if expected == "." {
                        XCTAssertEqual(actions, [.notAllowed(event, state)], "\(state) × \(event)")
                        XCTAssertEqual(machine.state, state)
                    } else {
                        XCTAssertEqual(machine.state, Self.nextState(expected, requestor: requestor), "\(state) × \(event) → \(expected)")
                    }
                }
            }
        }
    }

    func testAbortsSendTheRightPDUAndStartARTIM() {
        var m = AssociationStateMachine(state: .Sta6)
        XCTAssertEqual(m.handle(.invalidPDU), [.sendAbort(.serviceProvider), .indicateProviderAbort, .startARTIM])
        XCTAssertTrue(m.artimRunning)
        XCTAssertEqual(m.handle(.transportClosed), [.stopARTIM])
        XCTAssertEqual(m.state, .Sta1)

        m = AssociationStateMachine(state: .Sta6)
        XCTAssertEqual(m.handle(.abortRequest), [.sendAbort(.serviceUser), .startARTIM])
        XCTAssertEqual(m.handle(.artimExpired), [.stopARTIM, .closeTransport])

        m = AssociationStateMachine(state: .Sta13)
        XCTAssertEqual(m.handle(.pDataReceived), [.ignorePDU])
        XCTAssertEqual(m.handle(.associateRQReceived(acceptable: true)), [.sendAbort(.serviceProvider)])
    }

    func testRequestorLifecycle() {
        var m = AssociationStateMachine()
        XCTAssertEqual(m.handle(.associateRequest), [.connectTransport])
        XCTAssertEqual(m.handle(.transportConnected), [.sendAssociateRQ, .startARTIM])
        XCTAssertEqual(m.handle(.associateACReceived), [.stopARTIM, .confirmAssociateAccepted])
        XCTAssertEqual(m.handle(.pDataRequest), [.sendPData])
        XCTAssertEqual(m.handle(.pDataReceived), [.indicatePData])
        XCTAssertEqual(m.handle(.releaseRequest), [.sendReleaseRQ])
        XCTAssertEqual(m.handle(.pDataReceived), [.indicatePData])
        XCTAssertEqual(m.handle(.releaseRPReceived), [.confirmRelease, .closeTransport])
        XCTAssertEqual(m.state, .Sta1)
        XCTAssertFalse(m.artimRunning)
    }

    func testRejectedRequest() {
        var m = AssociationStateMachine()
        _ = m.handle(.associateRequest)
        _ = m.handle(.transportConnected)
        XCTAssertEqual(m.handle(.associateRJReceived), [.stopARTIM, .confirmAssociateRejected, .closeTransport])
        XCTAssertEqual(m.state, .Sta1)
    }

    func testAcceptorLifecycleAndRejection() {
        var m = AssociationStateMachine()
        XCTAssertEqual(m.handle(.transportIndication), [.startARTIM])
        XCTAssertEqual(m.handle(.associateRQReceived(acceptable: true)), [.stopARTIM, .indicateAssociateRequest])
        XCTAssertEqual(m.handle(.associateAccept), [.sendAssociateAC])
        XCTAssertEqual(m.handle(.releaseRQReceived), [.indicateRelease])
        XCTAssertEqual(m.handle(.pDataRequest), [.sendPData])
        XCTAssertEqual(m.handle(.releaseResponse), [.sendReleaseRP, .startARTIM])
        XCTAssertEqual(m.handle(.transportClosed), [.stopARTIM])

        m = AssociationStateMachine()
        _ = m.handle(.transportIndication)
        XCTAssertEqual(m.handle(.associateRQReceived(acceptable: false)), [.stopARTIM, .sendAssociateRJ, .startARTIM])
        XCTAssertEqual(m.state, .Sta13)
        XCTAssertEqual(m.handle(.artimExpired), [.stopARTIM, .closeTransport])
    }

    func testReleaseCollisionOnBothSides() {
        // Requestor: Sta7 → AR-8 → Sta9 → AR-9 → Sta11 → AR-3.
        var r = AssociationStateMachine(state: .Sta6, isRequestor: true)
        _ = r.handle(.releaseRequest)
        XCTAssertEqual(r.handle(.releaseRQReceived), [.indicateRelease])
        XCTAssertEqual(r.state, .Sta9)
        XCTAssertEqual(r.handle(.releaseResponse), [.sendReleaseRP])
        XCTAssertEqual(r.handle(.releaseRPReceived), [.confirmRelease, .closeTransport])
        XCTAssertEqual(r.state, .Sta1)
        // Acceptor: Sta7 → AR-8 → Sta10 → AR-10 → Sta12 → AR-4.
        var a = AssociationStateMachine(state: .Sta6, isRequestor: false)
        _ = a.handle(.releaseRequest)
        _ = a.handle(.releaseRQReceived)
        XCTAssertEqual(a.state, .Sta10)
        XCTAssertEqual(a.handle(.releaseRPReceived), [.confirmRelease])
        XCTAssertEqual(a.handle(.releaseResponse), [.sendReleaseRP, .startARTIM])
        XCTAssertEqual(a.state, .Sta13)
    }
}
