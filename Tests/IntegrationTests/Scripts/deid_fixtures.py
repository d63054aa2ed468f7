"""Small variations of a DICOM file for the de-identification tests, written with pydicom.

    deid_fixtures.py KIND SRC OUT

KIND:
  burned      Burned In Annotation YES
  name-text   the patient's family name in untabulated attributes (Text Value, Body Part Examined)
  name-upper  the patient's family name in capitals in untabulated Text Value
  short-name  Patient's Name LO^DA (a family name that is also a VR code)
  short-words Patient's Name Li^Bo, with Manufacturer "Bosch Imaging" and Body Part LIVER kept
  ref-study   a Referenced Study Sequence with one item, as PACS add it to CT and MR images
  un-seq      sequences written as explicit VR UN of defined length (as toolkits that do not know
              the tag write them), each item holding a name and a date: Content Sequence (D),
              Referenced Performed Procedure Step Sequence (X/Z/D), Derivation Code Sequence
              (not in Table E.1-1)
"""
import os
import sys

import struct

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag


def implicit_item(elements):
    """One item in implicit VR little endian, as the value of a UN sequence holds it."""
    body = b""
    for tag, value in elements:
        if len(value) % 2:
            value += b" "
        body += struct.pack("<HHI", tag >> 16, tag & 0xFFFF, len(value)) + value
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body


def main():
    kind, src, out = sys.argv[1:4]
    ds = pydicom.dcmread(src)
    if kind == "burned":
        ds.BurnedInAnnotation = "YES"
    elif kind == "name-text":
        family = str(ds.PatientName).split("^")[0]
        ds.add_new(0x0040A160, "UT", f"Reviewed with {family} on the phone")
        ds.add_new(0x00180015, "CS", family.upper()[:16])
    elif kind == "name-upper":
        family = str(ds.PatientName).split("^")[0]
        ds.add_new(0x0040A160, "UT", f"Reviewed with {family.upper()} on the phone")
    elif kind == "short-name":
        ds.PatientName = "LO^DA"
    elif kind == "short-words":
        ds.PatientName = "Li^Bo"
        ds.Manufacturer = "Bosch Imaging"
        ds.BodyPartExamined = "LIVER"
    elif kind == "ref-study":
        item = Dataset()
        item.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
        item.ReferencedSOPInstanceUID = ds.StudyInstanceUID + ".9"
        ds.ReferencedStudySequence = Sequence([item])
    elif kind == "un-seq":
        pydicom.config.replace_un_with_known_vr = False
        item = implicit_item([(0x00080100, b"CODE1"), (0x00080020, b"19770707"), (0x0040A123, b"UNSEQHIDDEN^NAME")])
        for tag in (0x00089215, 0x00081111, 0x0040A730):
            ds._dict[Tag(tag)] = RawDataElement(Tag(tag), "UN", len(item), item, 0, False, True)
    else:
        raise SystemExit(f"unknown kind {kind}")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    ds.save_as(out)


if __name__ == "__main__":
    main()
