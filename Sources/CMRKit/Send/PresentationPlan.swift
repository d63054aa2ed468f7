import DICOMCore
import DICOMNetwork

/// What each association proposes: for every (SOP class, transfer syntax) pair found by the scan
/// a context with that syntax alone, so the file can go as it is, and one context per SOP class
/// with explicit and implicit VR little endian, the fallback for transcoding. A SOP class keeps
/// all its contexts in one association; past 128 contexts the classes are split into groups,
/// each sent over its own associations.
struct PresentationPlan {
    struct Group {
        var proposals: [(abstractSyntax: String, transferSyntaxes: [String])] = []
        var sopClasses: Set<String> = []
    }

    static let maximumContexts = 128
    static let fallback = [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID]

    var groups: [Group] = []

    init(pairs: [(sopClass: String, transferSyntax: String)], maximumContexts: Int = Self.maximumContexts) {
        var order: [String] = []
        var syntaxes: [String: [String]] = [:]
        for (sop, ts) in pairs {
            if syntaxes[sop] == nil { order.append(sop); syntaxes[sop] = [] }
            if !syntaxes[sop]!.contains(ts) { syntaxes[sop]!.append(ts) }
        }
        var current = Group()
        for sop in order {
            var proposals = syntaxes[sop]!.map { (abstractSyntax: sop, transferSyntaxes: [$0]) }
            proposals.append((sop, Self.fallback))
            // One class with more syntaxes than fit (unheard of) keeps the first that fit with the fallback.
            if proposals.count > maximumContexts { proposals = Array(proposals.prefix(maximumContexts - 1)) + [(sop, Self.fallback)] }
            if current.proposals.count + proposals.count > maximumContexts {
                groups.append(current)
                current = Group()
            }
            current.proposals += proposals
            current.sopClasses.insert(sop)
        }
        if !current.proposals.isEmpty { groups.append(current) }
    }

    /// The index of the group that holds `sopClass`.
    func group(of sopClass: String) -> Int? {
        groups.firstIndex { $0.sopClasses.contains(sopClass) }
    }
}
