"""Small variations of a DICOM file for the de-identification tests, written with pydicom.

    deid_fixtures.py KIND SRC OUT

KIND:
  burned      Burned In Annotation YES
  name-text   the patient's family name in untabulated attributes (Text Value, Body Part Examined)
  short-name  Patient's Name LO^DA (a family name that is also a VR code)
  ref-study   a Referenced Study Sequence with one item, as PACS add it to CT and MR images
"""
import os
import sys

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence


def main():
    kind, src, out = sys.argv[1:4]
    ds = pydicom.dcmread(src)
    if kind == "burned":
        ds.BurnedInAnnotation = "YES"
    elif kind == "name-text":
        family = str(ds.PatientName).split("^")[0]
        ds.add_new(0x0040A160, "UT", f"Reviewed with {family} on the phone")
        ds.add_new(0x00180015, "CS", family.upper()[:16])
    elif kind == "short-name":
        ds.PatientName = "LO^DA"
    elif kind == "ref-study":
        item = Dataset()
        item.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
        item.ReferencedSOPInstanceUID = ds.StudyInstanceUID + ".9"
        ds.ReferencedStudySequence = Sequence([item])
    else:
        raise SystemExit(f"unknown kind {kind}")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    ds.save_as(out)


if __name__ == "__main__":
    main()
