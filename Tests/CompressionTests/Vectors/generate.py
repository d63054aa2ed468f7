#!/usr/bin/env python3
"""Writes inflate-vectors.json: DEFLATE/zlib/gzip streams and what they must decode to.

Streams come from Python's zlib (CPython 3.11, zlib 1.2.13 or later) or are assembled bit by bit
below. Run from this folder: python3 generate.py. The output is deterministic.
"""
import gzip
import hashlib
import io
import json
import struct
import zlib


class BitWriter:
    """LSB-first bit packing, as DEFLATE wants."""

    def __init__(self):
        self.bits = 0
        self.count = 0
        self.out = bytearray()

    def write(self, value, n):
        self.bits |= value << self.count
        self.count += n
        while self.count >= 8:
            self.out.append(self.bits & 0xFF)
            self.bits >>= 8
            self.count -= 8

    def huffman(self, code, n):
        """A Huffman code, most significant bit first."""
        self.write(int(format(code, "0%db" % n)[::-1], 2), n)

    def fixed_literal(self, symbol):
        if symbol < 144:
            self.huffman(0x30 + symbol, 8)
        elif symbol < 256:
            self.huffman(0x190 + symbol - 144, 9)
        elif symbol < 280:
            self.huffman(symbol - 256, 7)
        else:
            self.huffman(0xC0 + symbol - 280, 8)

    def fixed_distance(self, symbol):
        self.huffman(symbol, 5)

    def finish(self):
        if self.count:
            self.out.append(self.bits & 0xFF)
        return bytes(self.out)


def raw(data, level):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


TEXT = b"".join(
    b"%d: The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. " % i
    for i in range(40)
)

vectors = []


def add(name, fmt, stream, output=None, error=None, note=""):
    v = {"name": name, "format": fmt, "input": stream.hex()}
    if output is not None:
        if len(output) <= 4096:
            v["output"] = output.hex()
        else:
            v["outputLength"] = len(output)
            v["outputCRC32"] = "%08x" % zlib.crc32(output)
    if error is not None:
        v["error"] = error
    if note:
        v["note"] = note
    vectors.append(v)


# Known small streams.
add("empty fixed block", "raw", bytes.fromhex("0300"), b"")
add("empty stored block", "raw", bytes.fromhex("010000ffff"), b"")
add("stored block", "raw", bytes.fromhex("010500faff") + b"hello", b"hello")
fixed = raw(b"hello hello hello hello", 6)
assert fixed[0] & 7 == 3, "expected a final fixed block"
add("fixed block with a match (python zlib)", "raw", fixed, b"hello hello hello hello")
dynamic = raw(TEXT, 9)
assert dynamic[0] & 7 == 5, "expected a final dynamic block"
add("dynamic block (python zlib level 9)", "raw", dynamic, TEXT)
add("zlib stream (python zlib level 6)", "zlib", zlib.compress(TEXT, 6), TEXT)
add("zlib stream of nothing", "zlib", zlib.compress(b""), b"")
add("zlib stored (level 0)", "zlib", zlib.compress(TEXT[:300], 0), TEXT[:300])

# Several blocks: dynamic, empty stored sync block, dynamic again.
c = zlib.compressobj(6, zlib.DEFLATED, -15)
multi = c.compress(TEXT[:1500]) + c.flush(zlib.Z_FULL_FLUSH) + c.compress(TEXT[1500:]) + c.flush()
add("several blocks with a full flush", "raw", multi, TEXT)

# A stored block straight after a Huffman block, all in one buffer. Regression: bits of bytes the
# fast decoding loop had read ahead stayed in the bit buffer while the stored block copied those
# bytes directly, corrupting the next block header.
noise = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(94))[:3000]
c = zlib.compressobj(6, zlib.DEFLATED, -15)
mixed = c.compress(TEXT[:2000]) + c.flush(zlib.Z_BLOCK) + c.compress(noise) + c.flush(zlib.Z_BLOCK)
mixed += c.compress(TEXT[:1000]) + c.flush()
add("stored block after a Huffman block (regression)", "raw", mixed, TEXT[:2000] + noise + TEXT[:1000])

# gzip with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC).
header = bytearray(b"\x1f\x8b\x08\x1e" + struct.pack("<I", 0) + b"\x00\x03")
header += struct.pack("<H", 4) + b"ab\x00\x01" + b"name.txt\x00" + b"a comment\x00"
header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
body = raw(TEXT, 6)
trailer = struct.pack("<II", zlib.crc32(TEXT), len(TEXT))
add("gzip with all header fields", "gzip", bytes(header) + body + trailer, TEXT)
buf = io.BytesIO()
with gzip.GzipFile(filename="plain.txt", mode="wb", fileobj=buf, mtime=0) as f:
    f.write(TEXT)
add("gzip from python's gzip module", "gzip", buf.getvalue(), TEXT)

# A match reaching back exactly 32768 bytes: 32768 bytes of history in byte-aligned blocks,
# then a final fixed block copying 258 bytes from 32768 back.
history = b"".join(b"line %05d of the history, %s\n" % (i, b"abcdefghij"[i % 10:]) for i in range(1200))
history = history[:32768]
assert len(history) == 32768
c = zlib.compressobj(9, zlib.DEFLATED, -15)
head = c.compress(history) + c.flush(zlib.Z_FULL_FLUSH)
bw = BitWriter()
bw.write(1, 1)
bw.write(1, 2)
bw.fixed_literal(285)  # length 258
bw.fixed_distance(29)  # distance 24577 + 13 extra bits
bw.write(32768 - 24577, 13)
bw.fixed_literal(256)
add("match at distance 32768", "raw", head + bw.finish(), history + history[:258])

# Errors.
add("reserved block type 3", "raw", bytes.fromhex("07"), error="invalidBlockType")
add("stored length not complemented", "raw", bytes.fromhex("0105000000") + b"hello", error="invalidStoredLength")
bw = BitWriter()
bw.write(1, 1)
bw.write(1, 2)
bw.fixed_literal(ord("a"))
bw.fixed_literal(257)  # length 3
bw.fixed_distance(1)  # distance 2, but only 1 byte of output exists
bw.fixed_literal(256)
add("distance beyond the output", "raw", bw.finish(), error="distanceTooFarBack")
bw = BitWriter()
bw.write(1, 1)
bw.write(1, 2)
bw.fixed_literal(286)
bw.fixed_literal(256)
add("reserved length symbol 286", "raw", bw.finish(), error="invalidSymbol")
bw = BitWriter()
bw.write(1, 1)
bw.write(1, 2)
bw.fixed_literal(ord("a"))
bw.fixed_literal(257)
bw.fixed_distance(30)
bw.fixed_literal(256)
add("reserved distance symbol 30", "raw", bw.finish(), error="invalidSymbol")
bw = BitWriter()
bw.write(1, 1)
bw.write(2, 2)
bw.write(0, 5)
bw.write(0, 5)
bw.write(15, 4)
for _ in range(19):
    bw.write(1, 3)  # nineteen codes of length 1: over-subscribed
add("over-subscribed code length code", "raw", bw.finish() + b"\x00" * 8, error="invalidCodeLengths")
bw = BitWriter()
bw.write(1, 1)
bw.write(2, 2)
bw.write(0, 5)
bw.write(0, 5)
bw.write(14, 4)  # 18 code length codes
for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1]:
    bw.write(2 if symbol in (16, 17, 18, 1) else 0, 3)  # four codes of length 2: complete
bw.huffman(0, 2)  # symbol 1 (code 00): literals 0 and 1 have length 1
bw.huffman(0, 2)
bw.huffman(3, 2)  # symbol 18 (code 11): 138 zeros
bw.write(127, 7)
bw.huffman(3, 2)  # 118 zeros: 258 lengths in all, none for symbol 256
bw.write(107, 7)
add("no end-of-block code", "raw", bw.finish() + b"\x00" * 8, error="invalidCodeLengths")
bw = BitWriter()
bw.write(1, 1)
bw.write(2, 2)
bw.write(0, 5)
bw.write(0, 5)
bw.write(0, 4)
for length in [2, 2, 0, 1]:  # symbols 16, 17, 18, 0: codes 10, 11, -, 0
    bw.write(length, 3)
bw.huffman(0b10, 2)  # 16 as the first code length
bw.write(0, 2)
add("repeat with no previous length", "raw", bw.finish() + b"\x00" * 8, error="invalidCodeLengths")
good = zlib.compress(TEXT, 6)
add("zlib Adler-32 mismatch", "zlib", good[:-1] + bytes([good[-1] ^ 1]), error="adler32Mismatch")
add("zlib header check bits wrong", "zlib", b"\x78\x02" + good[2:], error="invalidHeader")
add("zlib method not deflate", "zlib", b"\x77\x02" + good[2:], error="invalidHeader")
add("zlib preset dictionary", "zlib", b"\x78\xbb" + b"\x00" * 4 + good[2:], error="presetDictionaryUnsupported")
add("zlib truncated trailer", "zlib", good[:-2], error="truncatedInput")
add("raw truncated in the middle", "raw", dynamic[: len(dynamic) // 2], error="truncatedInput")
add("empty input", "raw", b"", error="truncatedInput")
g = gzip.compress(TEXT, mtime=0)
add("gzip CRC-32 mismatch", "gzip", g[:-8] + bytes([g[-8] ^ 1]) + g[-7:], error="crc32Mismatch")
add("gzip length mismatch", "gzip", g[:-4] + bytes([g[-4] ^ 1]) + g[-3:], error="lengthMismatch")
add("gzip bad magic", "gzip", b"\x1f\x8c" + g[2:], error="invalidHeader")
add("gzip header CRC-16 mismatch", "gzip",
    bytes(header[:-1]) + bytes([header[-1] ^ 1]) + body + trailer, error="crc32Mismatch")

with open("inflate-vectors.json", "w") as f:
    json.dump(vectors, f, indent=1)
    f.write("\n")
print(len(vectors), "vectors")
