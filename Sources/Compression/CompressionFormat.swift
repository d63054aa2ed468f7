/// The wrapper around a DEFLATE stream.
public enum CompressionFormat: Sendable, Hashable, CaseIterable {
    /// Bare RFC 1951 DEFLATE data, as in DICOM's Deflated Explicit VR Little Endian transfer syntax.
    case raw
    /// RFC 1950: a two-byte header, DEFLATE data, and the Adler-32 of the uncompressed data (PNG's `IDAT`).
    case zlib
    /// RFC 1952: a gzip member header, DEFLATE data, the CRC-32 and the length modulo 2³² of the
    /// uncompressed data. Only the first member of a multi-member file is decoded.
    case gzip
}
