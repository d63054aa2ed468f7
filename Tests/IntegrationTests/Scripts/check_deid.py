"""Judges `cmr deidentify` output on the canary corpus of make_canaries.py, with pydicom only.

    check_deid.py --manifest M --input DIR --output DIR --mode MODE [--option NAME]... [--report FILE]

For the options in force (the mode's own plus those given), each canary's fate follows from
PS3.15 Table E.1-1 as written: an option's K wins, then an option's C, else the Basic Profile code;
a sequence removed or emptied (X, Z, X/Z) takes everything inside with it; inside a sequence
replaced by dummies (D and the codes that resolve to it) untabulated text goes too; inside a
cleaned sequence (C) untabulated text is cleaned; an overlay group (60xx) goes whole when its Overlay
Data does. Then:
- a canary that must go (removed, emptied, replaced, remapped) appears in no output's bytes (the
  data set inflated for deflated files); dates and numbers are matched as whole values, and in
  modes that shift dates they are compared per element instead;
- a kept canary is there unchanged, a cleaned one keeps its text but not the patient's name, a
  shifted date moved by the same non-zero number of days as every other date of its file;
- every output is read by pydicom, has the input's pixel data byte for byte and its transfer
  syntax, Patient Identity Removed YES, exactly the method codes of the options in force, a meta
  SOP Instance UID equal to the data set's, and no private attribute but retained safe ones;
- the Referenced Image Sequence of each file names the new SOP Instance UID of the file it points at;
- the report has one line per file that matches the file (output, status, SOP Instance UID,
  SHA-256) and a summary.
Prints each problem and exits 1 when there is any.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import sys
import zlib

import pydicom
from pydicom.tag import Tag

COLUMN = {
    "safe-private": "rtnSafePrivOpt", "uids": "rtnUIDsOpt", "device-identity": "rtnDevIdOpt",
    "institution-identity": "rtnInstIdOpt", "patient-characteristics": "rtnPatCharsOpt",
    "full-dates": "rtnLongFullDatesOpt", "modified-dates": "rtnLongModifDatesOpt",
    "clean-descriptors": "cleanDescOpt", "clean-structured-content": "cleanStructContOpt",
    "clean-graphics": "cleanGraphOpt",
}
CODE = {
    "clean-graphics": "113103", "clean-structured-content": "113104", "clean-descriptors": "113105",
    "full-dates": "113106", "modified-dates": "113107", "patient-characteristics": "113108",
    "device-identity": "113109", "uids": "113110", "safe-private": "113111", "institution-identity": "113112",
}
REMOVING = {"X", "Z", "X/Z"}
DUMMY = {"D", "Z/D", "X/D", "X/Z/D"}
TEXT_VRS = {"AE", "CS", "SH", "LO", "LT", "ST", "UT", "UC", "UR", "PN"}
CONTENT_TEXT = TEXT_VRS | {"DA", "DT", "TM"}
FREE_TEXT = {"PN", "LO", "LT", "SH", "ST", "UT", "UC"}
BINARY = {"OB", "OW", "UN"}


def options_in_force(mode, given):
    opts = set(given)
    if mode == "pseudonymous" and "full-dates" not in opts:
        opts.add("modified-dates")
    if mode == "anonymous":
        opts |= {"clean-descriptors", "clean-structured-content", "clean-graphics"}
    return opts


def resolve(row, opts):
    if row is None:
        return None
    for o in sorted(opts):
        if row.get(COLUMN[o]) == "K":
            return "K"
    for o in sorted(opts):
        if row.get(COLUMN[o]) == "C":
            return "C"
    return row["basicProfile"]


OVERLAY_DATA_ROW = {"basicProfile": "X", "cleanGraphOpt": "C"}   # (60xx,3000) in Table E.1-1


def fate(c, opts, mode):
    """gone, kept, clean or shift."""
    ctx = [resolve(r, opts) for r in c["context"]]
    if any(a in REMOVING for a in ctx):
        return "gone"
    # cmr removes an overlay whole when its Overlay Data goes (X, or C: a bitmap cannot be cleaned),
    # since the rest of the plane without its Type 1 bitmap is invalid (docs/deidentify.md).
    top = c["path"][0][0]
    if top[1:3] == "60" and int(top[1:5], 16) % 2 == 0 and resolve(OVERLAY_DATA_ROW, opts) in ("X", "C"):
        return "gone"
    if "private" in c:
        return "kept" if c["private"]["safe"] and "safe-private" in opts and mode != "anonymous" else "gone"
    if c.get("kind") == "unknown-public":
        return "gone"
    dummy = any(a in DUMMY for a in ctx)
    clean = any(a == "C" for a in ctx)
    vr = c["vr"]
    own = resolve(c["row"], opts)
    if own is None:
        if dummy and vr in CONTENT_TEXT:
            return "gone"
        if clean and vr in FREE_TEXT:
            return "gone" if vr == "PN" else "clean"
        return "kept"
    if own == "K":
        return "kept"
    if own == "C":
        if vr in ("DA", "DT"):
            return "shift" if "modified-dates" in opts else "gone"
        if vr == "TM":
            return "kept" if "modified-dates" in opts else "gone"
        if vr in FREE_TEXT - {"PN"} or vr == "CS":
            return "clean"
        return "gone"
    return "gone"


def dataset_bytes(path):
    """The file's bytes, with a deflated data set inflated."""
    raw = open(path, "rb").read()
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    if ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1.99":
        meta_len = int.from_bytes(raw[140:144], "little")
        end = 144 + meta_len
        return raw[:end] + zlib.decompressobj(-15).decompress(raw[end:])
    return raw


def needles(c):
    """Byte strings whose presence means the canary survived, and whether to match them whole."""
    vr = c["vr"]
    if "hex" in c:
        return [(bytes.fromhex(c["hex"]), False)]
    v = c["value"]
    if vr == "PN":
        return [(p.encode(), False) for p in v.split("^") if p]
    if vr in TEXT_VRS or vr == "UI":
        return [(v.encode(), vr == "UI")]
    if vr in ("DS", "IS", "DA", "DT", "TM"):
        return [(v.encode(), True)]
    return []


def find(haystack, needle, whole):
    if needle not in haystack:
        return False
    if not whole:
        return True
    return re.search(rb"(?<![0-9.])" + re.escape(needle) + rb"(?![0-9])", haystack) is not None


def element_at(ds, path):
    """The element at a manifest path, or None."""
    cur = ds
    for i, (tag, index) in enumerate(path):
        t = Tag(int(tag[1:5], 16), int(tag[6:10], 16))
        if t not in cur:
            return None
        el = cur[t]
        if index is None:
            return el
        if el.VR != "SQ" or index >= len(el.value):
            return None
        cur = el.value[index]
    return None


def text_of(el):
    v = el.value
    if isinstance(v, bytes):
        return v.decode("latin-1").rstrip("\0 ")
    if isinstance(v, (list, pydicom.multival.MultiValue)):
        return "\\".join(str(x) for x in v)
    return str(v).strip() if v is not None else ""


def equal(el, c):
    if "hex" in c:
        return isinstance(el.value, bytes) and el.value.rstrip(b"\0") == bytes.fromhex(c["hex"]).rstrip(b"\0")
    if isinstance(c["value"], (int, float)):
        return el.value == c["value"]
    return text_of(el) == c["value"]


def days(da):
    return datetime.date(int(da[0:4]), int(da[4:6]), int(da[6:8])).toordinal()


def private_tags(ds, found, where=""):
    for el in ds:
        if el.tag.group % 2 == 1:
            found.append(f"{where}{el.tag}")
        if el.VR == "SQ":
            for i, item in enumerate(el.value):
                private_tags(item, found, f"{where}{el.tag}[{i}].")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", help="one run: the folder holding the outputs")
    ap.add_argument("--mode")
    ap.add_argument("--option", action="append", default=[])
    ap.add_argument("--report")
    ap.add_argument("--runs", help="several runs: a JSON list of {name, mode, options, output, report}")
    args = ap.parse_args()
    manifest = json.load(open(args.manifest))
    inputs = {f["name"]: pydicom.dcmread(os.path.join(args.input, f["name"])) for f in manifest["files"]}
    if args.runs:
        runs = json.load(open(args.runs))
    else:
        runs = [{"name": args.mode, "mode": args.mode, "options": args.option, "output": args.output, "report": args.report}]
    failed = 0
    for run in runs:
        problems, summary = check_run(manifest, inputs, run["mode"], run.get("options", []), run["output"], run.get("report"))
        for p in problems[:200]:
            print(f"{run['name']}: {p}")
        if len(problems) > 200:
            print(f"{run['name']}: ... {len(problems) - 200} more")
        print(f"{run['name']}: {summary}; {len(problems)} problems")
        failed += bool(problems)
    return 1 if failed else 0


def check_run(manifest, inputs, mode, options, output, report):
    opts = options_in_force(mode, options)
    shifting = "modified-dates" in opts
    problems = []
    outputs, raw = {}, {}
    for f in manifest["files"]:
        name = f["name"]
        out = os.path.join(output, name)
        try:
            outputs[name] = pydicom.dcmread(out)
            for _ in outputs[name].iterall():   # every value converted, at every depth
                pass
            raw[name] = dataset_bytes(out)
        except Exception as e:  # noqa: BLE001 - any failure to read is a finding
            problems.append(f"{name}: pydicom cannot read the output: {e!r}")
    if problems:
        return problems, "unreadable outputs"

    counts = {"gone": 0, "kept": 0, "clean": 0, "shift": 0}
    deltas = {}
    for c in manifest["canaries"]:
        name = c["file"]
        what = fate(c, opts, mode)
        counts[what] += 1
        where = f"{name} {'/'.join(t + ('' if i is None else f'[{i}]') for t, i in c['path'])} {c['vr']}"
        el = element_at(outputs[name], c["path"])
        if what == "gone":
            date_like = c["vr"] in ("DA", "DT", "TM", "AS", "US", "SS", "UL", "SL", "FL", "FD")
            if not (shifting and c["vr"] in ("DA", "DT")):
                for needle, whole in needles(c):
                    for other, data in raw.items():
                        if find(data, needle, whole):
                            problems.append(f"{where}: canary {needle!r} must be gone ({resolve(c['row'], opts)}) but is in {other}")
            if date_like and el is not None and el.value not in (None, "", b"") and equal(el, c):
                problems.append(f"{where}: value {c.get('value')!r} must change but is still there")
        elif what == "kept":
            if el is None or not equal(el, c):
                problems.append(f"{where}: must be kept as {c.get('value', c.get('hex'))!r}, output has {None if el is None else el.value!r}")
        elif what == "clean":
            if el is None:
                problems.append(f"{where}: cleaned text must stay, but the attribute is gone")
            else:
                text = text_of(el)
                head = c["value"].split(" ")[0]
                if head not in text:
                    problems.append(f"{where}: cleaned text lost its non-identifying part {head!r}: {text!r}")
                if c.get("kind") == "text-with-name":
                    family = next(f["family"] for f in manifest["files"] if f["name"] == name)
                    if family in text:
                        problems.append(f"{where}: the patient's name survives cleaning: {text!r}")
                    if "*" not in text:
                        problems.append(f"{where}: no redaction mark in {text!r}")
        elif what == "shift":
            if el is None or not text_of(el):
                problems.append(f"{where}: a shifted date must stay, but it is gone or empty")
                continue
            new, old = text_of(el), c["value"]
            if old[8:] != new[8:]:
                problems.append(f"{where}: time part changed by a date shift: {old} -> {new}")
            try:
                d = days(new) - days(old)
            except ValueError:
                problems.append(f"{where}: not a date after shifting: {new!r}")
                continue
            deltas.setdefault(name, set()).add(d)
    for name, ds in deltas.items():
        if len(ds) != 1 or 0 in ds:
            problems.append(f"{name}: dates must all move by one non-zero number of days, moved by {sorted(ds)}")
    if shifting and not deltas:
        problems.append("modified dates in force but no shifted date checked")

    # The patient's family name is in the corpus text; it must never survive (tests keeping it use their own checks).
    for f in manifest["files"]:
        for other, data in raw.items():
            if f["family"].encode() in data:
                problems.append(f"{other}: the family name {f['family']} of {f['name']} survives")

    expected_codes = sorted(["113100"] + [CODE[o] for o in opts])
    by_sop = {}
    for f in manifest["files"]:
        name = f["name"]
        i, o = inputs[name], outputs[name]
        if o.file_meta.TransferSyntaxUID != i.file_meta.TransferSyntaxUID:
            problems.append(f"{name}: transfer syntax {i.file_meta.TransferSyntaxUID} became {o.file_meta.TransferSyntaxUID}")
        if o.file_meta.MediaStorageSOPInstanceUID != o.SOPInstanceUID:
            problems.append(f"{name}: meta SOP Instance UID {o.file_meta.MediaStorageSOPInstanceUID} != {o.SOPInstanceUID}")
        if o.PixelData != i.PixelData:
            problems.append(f"{name}: pixel data differs from the input's")
        if o.get("PatientIdentityRemoved") != "YES":
            problems.append(f"{name}: Patient Identity Removed is {o.get('PatientIdentityRemoved')!r}")
        codes = sorted(item.CodeValue for item in o.get("DeidentificationMethodCodeSequence", []))
        if codes != expected_codes:
            problems.append(f"{name}: method codes {codes}, expected {expected_codes}")
        for item in o.get("DeidentificationMethodCodeSequence", []):
            if item.get("CodingSchemeDesignator") != "DCM" or not item.get("CodeMeaning"):
                problems.append(f"{name}: method code item {item.get('CodeValue')} lacks scheme DCM or a meaning")
        temporal = "UNMODIFIED" if "full-dates" in opts else "MODIFIED" if shifting else "REMOVED"
        if o.get("LongitudinalTemporalInformationModified") != temporal:
            problems.append(f"{name}: Longitudinal Temporal Information Modified is {o.get('LongitudinalTemporalInformationModified')!r}, expected {temporal}")
        found = []
        private_tags(o, found)
        allowed = set()
        if "safe-private" in opts and mode != "anonymous":
            for c in manifest["canaries"]:
                if c["file"] == name and c.get("private", {}).get("safe"):
                    t = c["tag"]
                    g, e = int(t[1:5], 16), int(t[6:10], 16)
                    where = "".join(f"{tag}[{i}]." for tag, i in c["path"][:-1])
                    allowed |= {where + str(Tag(g, e)), where + str(Tag(g, e >> 8))}
        extra = [t for t in found if t not in allowed]
        if extra:
            problems.append(f"{name}: private attributes left: {extra}")
        if mode == "pseudonymous":
            pid = str(o.get("PatientID", ""))
            if not pid or pid == str(i.PatientID):
                problems.append(f"{name}: pseudonymous Patient ID {pid!r}")
        by_sop[name] = o.SOPInstanceUID
        if "uids" in opts:
            if o.SOPInstanceUID != i.SOPInstanceUID:
                problems.append(f"{name}: Retain UIDs, but the SOP Instance UID changed")
        elif o.SOPInstanceUID == i.SOPInstanceUID or not o.SOPInstanceUID.startswith("2.25."):
            problems.append(f"{name}: SOP Instance UID not remapped to 2.25: {o.SOPInstanceUID}")
    for f in manifest["files"]:
        o = outputs[f["name"]]
        seq = o.get("ReferencedImageSequence")
        if not seq:
            problems.append(f"{f['name']}: Referenced Image Sequence gone")
            continue
        if seq[0].ReferencedSOPInstanceUID != by_sop[f["references"]]:
            problems.append(f"{f['name']}: reference {seq[0].ReferencedSOPInstanceUID} does not resolve to {f['references']} ({by_sop[f['references']]})")

    if report:
        lines = [json.loads(line) for line in open(report) if line.strip()]
        summary = [x for x in lines if "summary" in x]
        per_file = [x for x in lines if "summary" not in x]
        if len(summary) != 1 or lines[-1] is not summary[0]:
            problems.append(f"report: expected one summary line, last: {summary}")
        else:
            s = summary[0]["summary"]
            if s.get("written") != len(manifest["files"]) or s.get("files") != len(manifest["files"]) or s.get("mode") != mode:
                problems.append(f"report summary: {s}")
            if sorted(s.get("options", [])) != sorted(opts):
                problems.append(f"report summary options {s.get('options')} != {sorted(opts)}")
        if len(per_file) != len(manifest["files"]):
            problems.append(f"report: {len(per_file)} file lines for {len(manifest['files'])} files")
        for line in per_file:
            name = os.path.basename(line.get("input", ""))
            if name not in outputs:
                problems.append(f"report: unknown input {line.get('input')}")
                continue
            out = os.path.join(output, name)
            if line.get("status") != "written":
                problems.append(f"report: {name} status {line.get('status')}")
            if os.path.realpath(line.get("output", "")) != os.path.realpath(out):
                problems.append(f"report: {name} output {line.get('output')} != {out}")
            if line.get("sopInstanceUID") != outputs[name].SOPInstanceUID:
                problems.append(f"report: {name} sopInstanceUID {line.get('sopInstanceUID')} != {outputs[name].SOPInstanceUID}")
            if line.get("sha256") != hashlib.sha256(open(out, "rb").read()).hexdigest():
                problems.append(f"report: {name} sha256 does not match the file")
            if not line.get("changes"):
                problems.append(f"report: {name} lists no changes")

    summary = (f"checked {len(manifest['canaries'])} canaries in {len(outputs)} files: "
               f"{counts['gone']} gone, {counts['kept']} kept, {counts['clean']} cleaned, {counts['shift']} shifted")
    return problems, summary


if __name__ == "__main__":
    sys.exit(main())
