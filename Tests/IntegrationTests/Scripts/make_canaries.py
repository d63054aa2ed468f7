"""Writes the de-identification canary corpus with pydicom (independent of cmr's writer).

    make_canaries.py PROFILE_JSON SAFE_PRIVATE_JSON OUTDIR [MANIFEST]

Every attribute of PS3.15 Table E.1-1 that pydicom's dictionary knows gets a unique value valid for
its VR; sequences get an item with canary text, a name and a UID inside; plus private blocks (a
creator from the safe-private list with one safe and one non-safe element, an unknown creator),
nesting three sequences deep, an SR-like Content Sequence, a Referenced Image Sequence pointing at
the next file of the corpus, and a Study Description holding the patient's family name. One file
per encoding: implicit VR LE, explicit VR LE, explicit VR BE, deflated, encapsulated (JPEG baseline
transfer syntax, two fragments with a Basic Offset Table; the bytes need not decode).

MANIFEST (default OUTDIR/manifest.json) lists every canary: file, path (tags and item indexes from the top level),
VR, value, and the Table E.1-1 rows of the attribute itself and of each enclosing sequence.
"""
import datetime
import json
import os
import sys

import pydicom
from pydicom.datadict import dictionary_has_tag, dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian,
                         ImplicitVRLittleEndian, JPEGBaseline8Bit)

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
ENCODINGS = [
    ("implicit.dcm", ImplicitVRLittleEndian),
    ("explicit_le.dcm", ExplicitVRLittleEndian),
    ("explicit_be.dcm", ExplicitVRBigEndian),
    ("deflated.dcm", DeflatedExplicitVRLittleEndian),
    ("encapsulated.dcm", JPEGBaseline8Bit),
]
# Attributes the writer owns or that would make the file unreadable if filled with a canary.
SKIP = {0x00020003}
# Untabulated attributes used inside sequence items.
TEXT_VALUE, PERSON_NAME, REF_SOP_INSTANCE, REF_SOP_CLASS = 0x0040A160, 0x0040A123, 0x00081155, 0x00081150
SAFE_CREATORS = [
    # (group, creator, safe element byte, VR of the safe element, non-safe element byte)
    (0x0019, "GEMS_ACQU_01", 0x9E, "LO", 0xF7),
    (0x2001, "Philips Imaging DD 001", 0x0B, "CS", 0x70),
]


def tag_text(tag):
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


class Corpus:
    def __init__(self, rows, safe):
        self.rows = rows
        self.safe = safe
        self.canaries = []

    def row(self, tag):
        r = self.rows.get(tag)
        if r is None and tag >> 16 & 0xFF00 == 0x5000:
            r = self.rows.get("50xxxxxx")
        if r is None and tag >> 16 & 0xFF00 == 0x6000 and tag & 0xFFFF in (0x3000, 0x4000):
            r = self.rows.get(f"60xx{tag & 0xFFFF:04x}")
        return r

    def make_file(self, index, name, ts, sop_uids):
        self.f = index
        self.letter = "ABCDE"[index]
        self.n = 0
        self.file_name = name
        ds = Dataset()
        family, given = f"FAM{self.letter}CNRY", f"GIV{self.letter}CNRY"
        self.family = family
        for tag in sorted(t for t in self.rows if isinstance(t, int)):
            if tag in SKIP or tag >> 16 in (0x0000, 0x0002) or not dictionary_has_tag(tag):
                continue
            vr = dictionary_VR(tag)
            path = [[tag_text(tag), None]]
            if tag == 0x00080018:
                self.put(ds, tag, "UI", sop_uids[index], path, [])
            elif tag == 0x00100010:
                self.put(ds, tag, "PN", f"{family}^{given}", path, [], kind="patient-name")
            elif tag == 0x00081030:
                n = self.next()
                self.put(ds, tag, "LO", f"CNRY{self.letter}{n:04d} head scan of {family}", path, [], kind="text-with-name")
            elif tag == 0x00081140:
                self.referenced_images(ds, tag, sop_uids[(index + 1) % len(sop_uids)], [])
            elif tag == 0x00082112:
                self.three_deep(ds, tag, [])
            elif tag == 0x0040A730:
                self.content(ds, tag, [])
            elif vr == "SQ":
                item = Dataset()
                self.fill_item(item, [[tag_text(tag), 0]], [tag])
                ds.add_new(tag, "SQ", Sequence([item]))
            else:
                self.put(ds, tag, vr, self.value(vr), path, [])
        # Repeating groups: curves (50xx) and overlays (60xx).
        self.put(ds, 0x50002500, "LO", self.value("LO"), [["(5000,2500)", None]], [])
        self.put(ds, 0x50003000, "OB", self.value("OB"), [["(5000,3000)", None]], [])
        for tag, vr in [(0x60000010, "US"), (0x60000011, "US")]:
            ds.add_new(tag, vr, 16)
        ds.add_new(0x60000040, "CS", "G")
        ds.add_new(0x60000050, "SS", [1, 1])
        ds.add_new(0x60000100, "US", 1)
        ds.add_new(0x60000102, "US", 0)
        self.put(ds, 0x60003000, "OW", self.value("OW32"), [["(6000,3000)", None]], [])
        self.put(ds, 0x60004000, "LT", self.value("LT"), [["(6000,4000)", None]], [])
        self.private_blocks(ds)
        # The instance itself: a small CT image.
        ds.SOPClassUID = CT_IMAGE
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.BurnedInAnnotation = "NO"
        ds.InstanceNumber = index + 1
        ds.Rows = ds.Columns = 16
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.PixelRepresentation = 0
        if ts == JPEGBaseline8Bit:
            ds.BitsAllocated = ds.BitsStored = 8
            ds.HighBit = 7
            ds.NumberOfFrames = 2
            frames = [bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes((i * 7 + k * 13 + index) & 0xFF for i in range(60 + 4 * k)) + bytes([0xFF, 0xD9])
                      for k in range(2)]
            ds.PixelData = encapsulate(frames, has_bot=True)
            ds["PixelData"].VR = "OB"
            ds["PixelData"].is_undefined_length = True
        else:
            ds.BitsAllocated = ds.BitsStored = 16
            ds.HighBit = 15
            pixels = bytearray()
            for i in range(16 * 16):
                v = (i * 257 + index * 31) & 0xFFFF
                pixels += v.to_bytes(2, "big" if ts == ExplicitVRBigEndian else "little")
            ds.PixelData = bytes(pixels)
            ds["PixelData"].VR = "OW"
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE
        meta.MediaStorageSOPInstanceUID = sop_uids[index]
        meta.TransferSyntaxUID = ts
        meta.ImplementationClassUID = "1.2.826.0.1.3680043.9.7777.1"
        ds.file_meta = meta
        ds.preamble = b"\0" * 128
        return ds

    def next(self):
        self.n += 1
        return self.n

    def value(self, vr):
        """A unique canary valid for `vr` (fixed width, so no canary is a prefix of another)."""
        n, L, f = self.next(), self.letter, self.f
        if vr in ("AE", "CS", "SH"):
            return f"CNRY{L}{n:04d}"
        if vr in ("LO", "LT", "ST", "UT", "UC"):
            return f"CNRY{L}{n:04d} {vr} text"
        if vr == "PN":
            return f"CNRY{L}{n:04d}FAM^CNRY{L}{n:04d}GIV"
        if vr == "UR":
            return f"http://cnry{L}{n:04d}.example.org/"
        if vr == "AS":
            return f"{n % 90 + 10:03d}Y"
        if vr == "UI":
            return f"1.2.826.0.1.3680043.9.7777.{f + 1}{n:04d}"
        if vr == "DA":
            return self.date(n)
        if vr == "TM":
            return f"{n % 24:02d}{n * 7 % 60:02d}{n * 13 % 60:02d}.{f + 1}{n:05d}"
        if vr == "DT":
            return self.date(n) + f"{n % 24:02d}{n * 7 % 60:02d}{n * 13 % 60:02d}"
        if vr == "DS":
            return f"{n}.{f + 1}7777"
        if vr == "IS":
            return f"7{f + 1}{n:04d}"
        if vr in ("US", "SS"):
            return 1000 + n
        if vr in ("UL", "SL"):
            return 7_000_000 + n
        if vr in ("FL", "FD"):
            return 7777.0 + n
        if vr in ("OB", "UN", "OW"):
            return f"CNRYBIN{L}{n:04d}".encode()
        if vr == "OW32":   # overlay bitmap: 16x16 bits
            return (f"CNRYBIN{L}{n:04d}" * 4).encode()[:32]
        raise ValueError(f"no canary for VR {vr}")

    def date(self, n):
        d = datetime.date(1930, 1, 1) + datetime.timedelta(days=n * 37 + self.f * 5)
        return d.strftime("%Y%m%d")

    def put(self, ds, tag, vr, value, path, context, kind=None, private=None):
        if vr == "OW32":
            vr = "OW"
        ds.add_new(tag, vr, value)
        entry = {
            "file": self.file_name, "path": path, "tag": tag_text(tag), "vr": vr,
            "row": self.row(tag), "context": [self.row(t) for t in context],
            "contextTags": [tag_text(t) for t in context],
        }
        if isinstance(value, bytes):
            entry["hex"] = value.hex()
        else:
            entry["value"] = value
        if kind:
            entry["kind"] = kind
        if private:
            entry["private"] = private
        self.canaries.append(entry)

    def fill_item(self, item, path, context):
        """A generic item: untabulated text, a person name, a referenced UID."""
        for tag, vr in [(TEXT_VALUE, "UT"), (PERSON_NAME, "PN"), (REF_SOP_INSTANCE, "UI")]:
            self.put(item, tag, vr, self.value(vr), path + [[tag_text(tag), None]], context)

    def referenced_images(self, ds, tag, target_uid, path):
        ref = Dataset()
        ref.ReferencedSOPClassUID = CT_IMAGE
        ref.ReferencedSOPInstanceUID = target_uid
        extra = Dataset()
        self.fill_item(extra, path + [[tag_text(tag), 1]], [tag])
        ds.add_new(tag, "SQ", Sequence([ref, extra]))

    def three_deep(self, ds, tag, path):
        """Source Image Sequence > Derivation Code Sequence > Purpose of Reference Code Sequence."""
        inner = Dataset()
        p3 = path + [[tag_text(tag), 0], ["(0008,9215)", 0], ["(0040,A170)", 0]]
        ctx = [tag, 0x00089215, 0x0040A170]
        self.fill_item(inner, p3, ctx)
        for t, vr in [(0x00080020, "DA"), (0x00081070, "PN")]:
            self.put(inner, t, vr, self.value(vr), p3 + [[tag_text(t), None]], ctx)
        inner.CodeValue, inner.CodingSchemeDesignator, inner.CodeMeaning = "121311", "DCM", "Localizer"
        middle = Dataset()
        middle.CodeValue, middle.CodingSchemeDesignator, middle.CodeMeaning = "113076", "DCM", "Segmentation"
        middle.add_new(0x0040A170, "SQ", Sequence([inner]))
        outer = Dataset()
        outer.ReferencedSOPClassUID = CT_IMAGE
        # A private block of a safe-listed creator inside an item.
        group, creator, safe_byte, safe_vr, unsafe_byte = SAFE_CREATORS[0]
        outer.add_new(group << 16 | 0x0010, "LO", creator)
        for byte, vr, safe in [(safe_byte, safe_vr, True), (unsafe_byte, "LO", False)]:
            t = group << 16 | 0x1000 | byte
            self.put(outer, t, vr, self.value(vr), path + [[tag_text(tag), 0], [tag_text(t), None]], [tag],
                     private={"creator": creator, "safe": safe})
        self.put(outer, REF_SOP_INSTANCE, "UI", self.value("UI"), path + [[tag_text(tag), 0], ["(0008,1155)", None]], [tag])
        outer.add_new(0x00089215, "SQ", Sequence([middle]))
        ds.add_new(tag, "SQ", Sequence([outer]))

    def content(self, ds, tag, path):
        """An SR-like Content Sequence: text naming the patient, a person, a date, a nested container."""
        def code(meaning):
            c = Dataset()
            c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = "121071", "DCM", meaning
            return Sequence([c])
        items = []
        text = Dataset()
        text.RelationshipType, text.ValueType, text.ConceptNameCodeSequence = "CONTAINS", "TEXT", code("Finding")
        n = self.next()
        self.put(text, TEXT_VALUE, "UT", f"CNRY{self.letter}{n:04d} nodule seen in {self.family}",
                 path + [[tag_text(tag), 0], [tag_text(TEXT_VALUE), None]], [tag], kind="text-with-name")
        items.append(text)
        person = Dataset()
        person.RelationshipType, person.ValueType, person.ConceptNameCodeSequence = "HAS OBS CONTEXT", "PNAME", code("Observer")
        self.put(person, PERSON_NAME, "PN", self.value("PN"), path + [[tag_text(tag), 1], [tag_text(PERSON_NAME), None]], [tag])
        items.append(person)
        date = Dataset()
        date.RelationshipType, date.ValueType, date.ConceptNameCodeSequence = "HAS OBS CONTEXT", "DATE", code("Date")
        self.put(date, 0x0040A121, "DA", self.value("DA"), path + [[tag_text(tag), 2], ["(0040,A121)", None]], [tag])
        items.append(date)
        container = Dataset()
        container.RelationshipType, container.ValueType, container.ConceptNameCodeSequence = "CONTAINS", "CONTAINER", code("Section")
        nested_text = Dataset()
        nested_text.RelationshipType, nested_text.ValueType, nested_text.ConceptNameCodeSequence = "CONTAINS", "TEXT", code("Finding")
        p2 = path + [[tag_text(tag), 3], [tag_text(tag), 0]]
        self.put(nested_text, TEXT_VALUE, "UT", self.value("UT"), p2 + [[tag_text(TEXT_VALUE), None]], [tag, tag])
        nested_uid = Dataset()
        nested_uid.RelationshipType, nested_uid.ValueType, nested_uid.ConceptNameCodeSequence = "CONTAINS", "UIDREF", code("UID")
        self.put(nested_uid, 0x0040A124, "UI", self.value("UI"), path + [[tag_text(tag), 3], [tag_text(tag), 1], ["(0040,A124)", None]], [tag, tag])
        container.add_new(tag, "SQ", Sequence([nested_text, nested_uid]))
        items.append(container)
        ds.add_new(tag, "SQ", Sequence(items))

    def private_blocks(self, ds):
        for group, creator, safe_byte, safe_vr, unsafe_byte in SAFE_CREATORS:
            listed = {s["tag"].upper() for s in self.safe if s["privateCreator"] == creator}
            assert f"({group:04X},XX{safe_byte:02X})" in listed and f"({group:04X},XX{unsafe_byte:02X})" not in listed, creator
            ds.add_new(group << 16 | 0x0010, "LO", creator)
            self.put(ds, group << 16 | 0x1000 | safe_byte, safe_vr, self.value(safe_vr), [[tag_text(group << 16 | 0x1000 | safe_byte), None]], [],
                     private={"creator": creator, "safe": True})
            self.put(ds, group << 16 | 0x1000 | unsafe_byte, "LO", self.value("LO"), [[tag_text(group << 16 | 0x1000 | unsafe_byte), None]], [],
                     private={"creator": creator, "safe": False})
        creator = f"CNRY{self.letter} UNKNOWN CREATOR"
        self.put(ds, 0x00290010, "LO", creator, [["(0029,0010)", None]], [], private={"creator": creator, "safe": False, "isCreator": True})
        for element, vr in [(0x1010, "LO"), (0x1011, "PN"), (0x1012, "UN")]:
            self.put(ds, 0x00290000 | element, vr, self.value(vr), [[tag_text(0x00290000 | element), None]], [],
                     private={"creator": creator, "safe": False})
        # A private element without a creator, and a public tag no dictionary knows.
        self.put(ds, 0x00111010, "LO", self.value("LO"), [["(0011,1010)", None]], [], private={"creator": None, "safe": False})
        self.put(ds, 0x00409998, "LO", self.value("LO"), [["(0040,9998)", None]], [], kind="unknown-public")
        # A private sequence holding a name.
        item = Dataset()
        self.put(item, PERSON_NAME, "PN", self.value("PN"), [["(0029,1013)", 0], [tag_text(PERSON_NAME), None]], [],
                 private={"creator": creator, "safe": False})
        ds.add_new(0x00291013, "SQ", Sequence([item]))


def main():
    profile_path, safe_path, out = sys.argv[1:4]
    rows = {}
    for r in json.load(open(profile_path)):
        t = r["tag"]
        key = r["id"]
        try:
            key = int(t[1:5] + t[6:10], 16)
        except ValueError:
            pass
        rows[key] = {k: v for k, v in r.items() if k == "basicProfile" or k.endswith("Opt")}
    safe = json.load(open(safe_path))
    os.makedirs(out, exist_ok=True)
    corpus = Corpus(rows, safe)
    sop_uids = [f"1.2.826.0.1.3680043.9.7777.{i + 1}0000" for i in range(len(ENCODINGS))]
    files = []
    for index, (name, ts) in enumerate(ENCODINGS):
        ds = corpus.make_file(index, name, ts, sop_uids)
        path = os.path.join(out, name)
        ds.save_as(path, enforce_file_format=True)
        files.append({"name": name, "transferSyntax": str(ts), "sopInstanceUID": sop_uids[index],
                      "references": ENCODINGS[(index + 1) % len(ENCODINGS)][0], "family": corpus.family})
    manifest = sys.argv[4] if len(sys.argv) > 4 else os.path.join(out, "manifest.json")
    json.dump({"files": files, "canaries": corpus.canaries}, open(manifest, "w"), indent=0)
    print(f"{len(files)} files, {len(corpus.canaries)} canaries")


if __name__ == "__main__":
    main()
