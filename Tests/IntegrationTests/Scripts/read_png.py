"""Decodes PNG files with a small reader of its own (zlib + the PNG filters) and, when asked, with
Pillow; prints one JSON line per file: {"own": [...], "pillow": [...]} with every sample as a number.
The own reader checks the signature, each chunk's CRC, IHDR, and that IEND ends the file.
Usage: read_png.py [--pillow] FILE..."""
import json
import struct
import sys
import zlib


def own_reader(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "signature"
    pos, idat, header, types = 8, b"", None, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(ctype + body) & 0xFFFFFFFF == crc, f"CRC of {ctype!r}"
        types.append(ctype.decode("latin-1"))
        if ctype == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat += body
        pos += 12 + length
    assert types[0] == "IHDR" and types[-1] == "IEND", types
    width, height, depth, colour, compression, filtering, interlace = header
    assert (compression, filtering, interlace) == (0, 0, 0)
    channels = {0: 1, 2: 3}[colour]
    bpp = channels * depth // 8
    stride = width * bpp
    raw = zlib.decompress(idat)
    assert len(raw) == height * (stride + 1), "scanline bytes"
    out, prior = bytearray(), bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prior[x]
            c = prior[x - bpp] if x >= bpp else 0
            if ftype == 0:
                p = 0
            elif ftype == 1:
                p = a
            elif ftype == 2:
                p = b
            elif ftype == 3:
                p = (a + b) // 2
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            else:
                raise AssertionError(f"filter type {ftype}")
            line[x] = (line[x] + p) & 0xFF
        out += line
        prior = line
    if depth == 16:
        samples = [out[i] << 8 | out[i + 1] for i in range(0, len(out), 2)]
    else:
        samples = list(out)
    return {"width": width, "height": height, "depth": depth, "channels": channels, "own": samples, "chunks": types}


def pillow_reader(path):
    from PIL import Image
    import numpy as np
    with Image.open(path) as im:
        return [int(v) for v in np.asarray(im).reshape(-1)]


if __name__ == "__main__":
    args = sys.argv[1:]
    pillow = args and args[0] == "--pillow"
    if pillow:
        args = args[1:]
    for path in args:
        result = own_reader(path)
        if pillow:
            result["pillow"] = pillow_reader(path)
        print(json.dumps(result))
