"""Compares `cmr inspect --json` output (JSON Lines on stdin, one per file in argv order) with
pydicom's to_json_dict for the same files, value for value. Prints one line per difference and
exits 1 when there is any."""
import base64, json, math, sys
import pydicom

def norm_number(v):
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return float(v) if isinstance(v, (int, float)) else v

def same_values(vr, a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if vr in ("DS", "IS", "US", "SS", "UL", "SL", "FL", "FD", "SV", "UV"):
            x, y = norm_number(x), norm_number(y)
            if isinstance(x, float) and isinstance(y, float):
                if not (x == y or (math.isnan(x) and math.isnan(y)) or abs(x - y) <= 1e-6 * max(abs(x), abs(y))):
                    return False
                continue
        if vr == "SQ":
            continue
        if x != y:
            return False
    return True

SWAP = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}

def little_endian(raw, vr, big_endian):
    """pydicom keeps OW/OF/... bytes as the file holds them; DICOM JSON (and cmr) give them
    little-endian (PS3.18 F.2.7), so swap big-endian files' values before comparing."""
    unit = SWAP.get(vr, 1)
    if not big_endian or unit == 1:
        return raw
    return b"".join(raw[i:i + unit][::-1] for i in range(0, len(raw), unit))

def compare(path, mine, theirs, where, out, big_endian=False):
    for tag in sorted(set(mine) | set(theirs)):
        a, b = mine.get(tag), theirs.get(tag)
        loc = f"{path} {where}{tag}"
        if a is None or b is None:
            out.append(f"{loc}: only in {'pydicom' if a is None else 'cmr'}: {a or b}")
            continue
        if a.get("vr") != b.get("vr"):
            out.append(f"{loc}: vr cmr={a.get('vr')} pydicom={b.get('vr')}")
            continue
        vr = a["vr"]
        if "InlineBinary" in a or "InlineBinary" in b:
            theirs_raw = little_endian(base64.b64decode(b.get("InlineBinary", "")), vr, big_endian)
            if base64.b64decode(a.get("InlineBinary", "")) != theirs_raw:
                out.append(f"{loc}: InlineBinary differs")
            continue
        va, vb = a.get("Value", []), b.get("Value", [])
        if vr == "SQ":
            if len(va) != len(vb):
                out.append(f"{loc}: {len(va)} items in cmr, {len(vb)} in pydicom")
                continue
            for i, (x, y) in enumerate(zip(va, vb)):
                compare(path, x, y, f"{where}{tag}[{i}].", out, big_endian)
            continue
        if not same_values(vr, va, vb):
            out.append(f"{loc}: cmr={va!r} pydicom={vb!r}")

def main():
    paths = sys.argv[1:]
    lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
    if len(lines) != len(paths):
        print(f"{len(lines)} JSON lines for {len(paths)} files")
        sys.exit(1)
    out = []
    for path, line in zip(paths, lines):
        ds = pydicom.dcmread(path, force=True)
        theirs = ds.to_json_dict(bulk_data_threshold=1 << 40)
        big = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") == "1.2.840.10008.1.2.2"
        compare(path, json.loads(line), theirs, "", out, big)
    for o in out:
        print(o)
    print(f"compared {len(paths)} files, {len(out)} differences")
    sys.exit(1 if out else 0)

main()
