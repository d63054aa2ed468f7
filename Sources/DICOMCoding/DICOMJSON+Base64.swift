extension DICOMJSON {
    /// Base64 in the standard alphabet with padding (RFC 4648 §4), as InlineBinary uses.
    enum Base64 {
        private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

        /// 0–63 for alphabet bytes, 0xFF otherwise.
        private static let values: [UInt8] = {
            var t = [UInt8](repeating: 0xFF, count: 256)
            for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
            return t
        }()

        static func encode(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
            let n = raw.count
            let start = out.count
            out.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (n + 2) / 3 * 4))
            alphabet.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { o in
                    var i = 0, j = start
                    while i + 3 <= n {
                        let v = UInt32(raw[i]) << 16 | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2])
                        o[j] = a[Int(v >> 18)]
                        o[j + 1] = a[Int(v >> 12 & 63)]
                        o[j + 2] = a[Int(v >> 6 & 63)]
                        o[j + 3] = a[Int(v & 63)]
                        i += 3
                        j += 4
                    }
                    if n - i > 0 {
                        // One or two bytes left: two or three characters, then the "=" already there.
                        let v = UInt32(raw[i]) << 16 | (n - i == 2 ? UInt32(raw[i + 1]) << 8 : 0)
                        o[j] = a[Int(v >> 18)]
                        o[j + 1] = a[Int(v >> 12 & 63)]
                        if n - i == 2 { o[j + 2] = a[Int(v >> 6 & 63)] }
                    }
                }
            }
        }

        static func encode(_ bytes: [UInt8]) -> String {
            var out: [UInt8] = []
            bytes.withUnsafeBytes { encode($0, into: &out) }
            return String(decoding: out, as: UTF8.self)
        }

        /// Decodes base64 text; padding is optional and line breaks and spaces are skipped.
        /// Nil when a character is outside the alphabet or the length cannot be base64.
        static func decode(_ text: String) -> [UInt8]? {
            var text = text
            return text.withUTF8 { decode($0) }
        }

        static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: text.count / 4 * 3 + 3)
            var n = 0 // bytes written
            let ok = values.withUnsafeBufferPointer { table in
                out.withUnsafeMutableBufferPointer { o -> Bool in
                    var acc: UInt32 = 0
                    var k = 0 // characters in acc
                    var padding = 0
                    for c in text {
                        let v = table[Int(c)]
                        if v == 0xFF {
                            if c == UInt8(ascii: "=") { padding += 1; continue }
                            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
                            return false
                        }
                        if padding > 0 { return false }
                        acc = acc << 6 | UInt32(v)
                        k += 1
                        if k == 4 {
                            o[n] = UInt8(truncatingIfNeeded: acc >> 16)
                            o[n + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                            o[n + 2] = UInt8(truncatingIfNeeded: acc)
                            n += 3
                            acc = 0
                            k = 0
                        }
                    }
                    switch k {
                    case 0: break
                    case 2:
                        o[n] = UInt8(truncatingIfNeeded: acc >> 4)
                        n += 1
                    case 3:
                        o[n] = UInt8(truncatingIfNeeded: acc >> 10)
                        o[n + 1] = UInt8(truncatingIfNeeded: acc >> 2)
                        n += 2
                    default: return false
                    }
                    return padding <= 2
                }
            }
            guard ok else { return nil }
            out.removeLast(out.count - n)
            return out
        }
    }
}
