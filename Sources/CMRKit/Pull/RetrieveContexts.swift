import DICOMDictionary
import DICOMCore
import DICOMNetwork

/// What `cmr pull` proposes on a C-GET association (and what `cmr listen` and the C-MOVE
/// destination accept): the storage SOP classes, in this side's SCP role, and the transfer
/// syntaxes of each.
///
/// An association carries at most 128 presentation contexts; one goes to the GET model, so 127
/// storage classes fit. They are the common ones first (`preferred`: CT, MR, CR/DX/MG, US, NM,
/// PET, XA/RF, secondary capture, the enhanced and legacy-converted multi-frame classes, SR,
/// KOS, presentation states, segmentation, RT, encapsulated documents, VL, ophthalmic images,
/// whole slide), then the rest of the registry's non-retired storage classes in UID order, leaving
/// out families rarely held by a clinical PACS (DICOS security screening, eddy current, protocol,
/// implant templates, hanging protocols, colour palettes) until 127.
///
/// Each context offers the uncompressed syntaxes and the common compressed ones, so a PACS that
/// holds compressed files may send them as they are rather than decompress them (the peer picks
/// one per SOP class; files are written in the syntax they arrive in, never transcoded).
public enum RetrieveContexts {
    public static let transferSyntaxes: [String] = [
        UID.explicitVRLittleEndian, UID.implicitVRLittleEndian, UID.deflatedExplicitVRLittleEndian,
        UID.jpegLosslessSV1, UID.jpegLossless, UID.jpegBaseline8Bit, UID.jpegExtended12Bit,
        UID.jpeglsLossless, UID.jpeglsNearLossless, UID.jpeg2000Lossless, UID.jpeg2000, UID.rleLossless,
    ]

    static let preferred: [String] = [
        UID.ctImageStorage, UID.mrImageStorage, UID.computedRadiographyImageStorage,
        UID.digitalXRayImageStorageForPresentation, UID.digitalXRayImageStorageForProcessing,
        UID.digitalMammographyXRayImageStorageForPresentation, UID.digitalMammographyXRayImageStorageForProcessing,
        UID.ultrasoundImageStorage, UID.ultrasoundMultiFrameImageStorage, UID.nuclearMedicineImageStorage,
        UID.positronEmissionTomographyImageStorage, UID.xRayAngiographicImageStorage, UID.xRayRadiofluoroscopicImageStorage,
        UID.secondaryCaptureImageStorage, UID.multiFrameGrayscaleByteSecondaryCaptureImageStorage,
        UID.multiFrameGrayscaleWordSecondaryCaptureImageStorage, UID.multiFrameTrueColorSecondaryCaptureImageStorage,
        UID.enhancedCTImageStorage, UID.enhancedMRImageStorage, UID.enhancedPETImageStorage,
        UID.legacyConvertedEnhancedCTImageStorage, UID.legacyConvertedEnhancedMRImageStorage,
        UID.legacyConvertedEnhancedPETImageStorage, UID.breastTomosynthesisImageStorage,
        UID.basicTextSRStorage, UID.enhancedSRStorage, UID.comprehensiveSRStorage, UID.keyObjectSelectionDocumentStorage,
        UID.xRayRadiationDoseSRStorage, UID.grayscaleSoftcopyPresentationStateStorage, UID.segmentationStorage,
        UID.rtImageStorage, UID.rtDoseStorage, UID.rtStructureSetStorage, UID.rtPlanStorage, UID.rtIonPlanStorage,
        UID.encapsulatedPDFStorage, UID.vlPhotographicImageStorage, UID.ophthalmicPhotography8BitImageStorage,
        UID.ophthalmicTomographyImageStorage, UID.vlWholeSlideMicroscopyImageStorage,
    ]

    static let leftOut = ["dicos", "eddyCurrent", "protocol", "ProtocolStorage", "implant", "Implant", "hangingProtocol",
                          "colorPalette", "mediaStorageDirectory", "standalone", "storedPrint", "hardcopy"]

    /// The storage SOP classes proposed, at most `limit`.
    public static func storageClasses(limit: Int = 127) -> [String] {
        var chosen = preferred
        var seen = Set(chosen)
        for entry in UIDRegistry.allEntries where chosen.count < limit {
            guard entry.type == .sopClass, !entry.isRetired, entry.keyword.hasSuffix("Storage"), !seen.contains(entry.uid),
                  !leftOut.contains(where: { entry.keyword.lowercased().hasPrefix($0.lowercased()) || entry.keyword.contains($0) }) else { continue }
            chosen.append(entry.uid)
            seen.insert(entry.uid)
        }
        return Array(chosen.prefix(limit))
    }

    /// Adds the retrieve model and the storage classes with the SCP role (C-GET).
    public static func proposeGet(_ model: String, into p: inout AssociationParameters) {
        p.propose(model, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID])
        for sop in storageClasses(limit: 127) {
            p.propose(sop, transferSyntaxes: transferSyntaxes)
            p.roleSelections.append(RoleSelection(sopClassUID: sop, scuRole: false, scpRole: true))
        }
    }
}
