import Foundation
@testable import DICOMImaging

/// Small encoded frames for unit tests: built here by the standard's rules (RLE, lossless JPEG),
/// or made once with DCMTK 3.6.7 from images whose formulas are below (baseline JPEG, JPEG-LS).
enum TestStreams {
    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    /// 16×16 8-bit grey: clip(12x + 3y + 4((7x + 13y) mod 11)).
    static let grey8: [UInt8] = (0..<256).map { i -> UInt8 in
        let x: Int = i % 16, y: Int = i / 16
        let v: Int = x * 12 + y * 3 + ((x * 7 + y * 13) % 11) * 4
        return UInt8(min(255, v))
    }

    /// 6×9 12-bit grey: clip(400x + 150y + 37((7x + 13y) mod 11)).
    static let grey12: [Int] = (0..<54).map { i -> Int in
        let x: Int = i % 9, y: Int = i / 9
        let v: Int = x * 400 + y * 150 + ((x * 7 + y * 13) % 11) * 37
        return min(4095, v)
    }

    /// `dcmcjpeg +eb` of `grey8`, and what `dcmdjpeg` decodes it to.
    static let baseline = bytes(hex: "ffd8ffe000104a46494600010100000100010000ffdb0043000302020302020303030304030304050805050404050a070706080c0a0c0c0b0a0b0b0d0e12100d0e110e0b0b1016101113141515150c0f171816141812141514ffc0000b080010001001011100ffc4001500010100000000000000000000000000000809ffc4002410010002010304010500000000000000000102110300123105071321523234517172ffda0008010100003f0035f643a0b08e0c502f6ec714a420fab85f144a3714e5a2f9d500ec7745fb3c9861f0c659fbf1ded3fac683f9b743eec9745b8609b0f1cf17d7b0a6029bea8536caa47bb44d501ecb743893c466804320938fc78f2442d4a6a607b4bbe75fffffd9")
    static let baselineDecoded = bytes(hex: "0523294645436e65628d8885b0a0d1cd05352b2d5b5244777196978bb5baafd416133b39595a557f79729f9a97beb9e4211f433c4266605e8584aba4a2c9c8bf2b2b264c466f6c66928988afada6cdcc38312d56525477736d9893bab7b2dfd813403f365c567b817da2979cc6babbe0224a3e46686367858480b1a1ccc9c4ef2b2c4d50456c6e94938bb6b2add0d3ce3736565a5a797772989a92b2bae5d2d446374061555f837eaa9f9dc9bcc1ece51f4b466c6d6a898a81ada5add3c2edeb295c4b4c746c6b9490bfb1abd6d8cffb34385a567e81749f9a97bdbdb7dfd8ff453b63626185827da3a6cac9c2e9eade4d4c446d6a8e8f8ab3aca6d8c7caf1ed")

    /// `dcmcjpls` (lossless, with an LSE segment: 16-bit precision, MAXVAL 65535) of `grey12`.
    static let jpegLSLossless = bytes(hex: "ffd8fff7000b100006000901011100fff8000d01ffff0012004301140040ffda00080101000000009496fba91df3be263b7b7ebb81702e056fe5d6fb6de59703bcdaf95775e25c0ee3c2b7d6fbb6f03b4dbf94765b6f2eef3b0daf9375de2775d6574ee3b6eabc2ea36d649d3523ffd9")
    /// `dcmcjpls +en +md 3` of `grey12`, and what `dcmdjpls` decodes it to.
    static let jpegLSNear = bytes(hex: "ffd8fff7000b0c0006000901011100ffda00080101000300008006c2e0ed1d14f68a8a1008041980a103374081033747c40107c404040f880819ba3e66028f9f3372784040f8588081e103e66e4f1480ffd9")
    static let jpegLSNearDecoded: [Int] = [
        0, 658, 910, 1569, 1823, 2071, 2733, 2983, 3234, 224, 882, 1134, 1388, 2048, 2296, 2551, 3208, 3458,
        450, 699, 1359, 1608, 2270, 2520, 2772, 3431, 3683, 675, 921, 1583, 1838, 2089, 2748, 2996, 3249, 3907,
        894, 1146, 1400, 2058, 2308, 2970, 3223, 3476, 4095, 1122, 1375, 1621, 2281, 2537, 2788, 3445, 3699, 3948,
    ]

    static func littleEndian16(_ v: [Int]) -> [UInt8] { v.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }

    // MARK: - RLE by the rules of PS3.5 Annex G

    /// PackBits of one segment: literal runs, and replicate runs for 3 or more equal bytes.
    static func packBits(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < b.count {
            var run = 1
            while i + run < b.count, b[i + run] == b[i], run < 128 { run += 1 }
            if run >= 3 {
                out += [UInt8(bitPattern: Int8(1 - run)), b[i]]
                i += run
                continue
            }
            var j = i
            while j < b.count, j - i < 128, !(j + 2 < b.count && b[j] == b[j + 1] && b[j] == b[j + 2]) { j += 1 }
            out.append(UInt8(j - i - 1))
            out += b[i..<j]
            i = j
        }
        return out
    }

    /// An RLE frame of `samples` (each `bytesPerSample` bytes, colour-by-plane order of segments).
    static func rle(planes: [[Int]], bytesPerSample: Int) -> [UInt8] {
        var segments: [[UInt8]] = []
        for plane in planes {
            for byte in (0..<bytesPerSample).reversed() {
                var seg = packBits(plane.map { UInt8(truncatingIfNeeded: $0 >> (8 * byte)) })
                if seg.count % 2 == 1 { seg.append(0x80) }  // pad with a no-op (-128)
                segments.append(seg)
            }
        }
        var header = [UInt8](repeating: 0, count: 64)
        func put(_ v: Int, _ at: Int) { for k in 0..<4 { header[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
        put(segments.count, 0)
        var offset = 64
        for (i, s) in segments.enumerated() { put(offset, 4 + 4 * i); offset += s.count }
        return header + segments.flatMap { $0 }
    }

    // MARK: - Lossless JPEG by the rules of T.81 Annex H

    /// A one-component lossless JPEG stream: every difference category 0…16 gets a 5-bit code.
    static func losslessJPEG(_ samples: [Int], width: Int, height: Int, precision: Int, predictor: Int,
                             pointTransform pt: Int = 0, restartRows: Int = 0) -> [UInt8] {
        losslessJPEG(planes: [samples], width: width, height: height, precision: precision, predictor: predictor,
                     pointTransform: pt, restartRows: restartRows, interleaved: true)
    }

    /// A lossless JPEG stream of one plane per component, in one interleaved scan or one scan per
    /// component; every difference category 0…16 gets a 5-bit code.
    static func losslessJPEG(planes: [[Int]], width: Int, height: Int, precision: Int, predictor: Int,
                             pointTransform pt: Int = 0, restartRows: Int = 0, interleaved: Bool) -> [UInt8] {
        let nf = planes.count
        var out: [UInt8] = [0xFF, 0xD8]
        out += [0xFF, 0xC3, 0, UInt8(8 + 3 * nf), UInt8(precision), UInt8(height >> 8), UInt8(height & 0xFF),
                UInt8(width >> 8), UInt8(width & 0xFF), UInt8(nf)]
        for c in 0..<nf { out += [UInt8(c + 1), 0x11, 0] }
        out += [0xFF, 0xC4, 0, 2 + 1 + 16 + 17, 0x00] + [0, 0, 0, 0, 17] + [UInt8](repeating: 0, count: 11) + (0...16).map { UInt8($0) }
        if restartRows > 0 { out += [0xFF, 0xDD, 0, 4, UInt8((restartRows * width) >> 8), UInt8((restartRows * width) & 0xFF)] }
        var acc = 0, n = 0
        func put(_ v: Int, _ bits: Int) {
            for i in stride(from: bits - 1, through: 0, by: -1) {
                acc = acc << 1 | (v >> i) & 1; n += 1
                if n == 8 { out.append(UInt8(acc)); if acc == 0xFF { out.append(0) }; acc = 0; n = 0 }
            }
        }
        func flush() { while n != 0 { put(1, 1) } }
        let shifted = planes.map { $0.map { $0 >> pt } }
        func encode(_ c: Int, _ x: Int, _ y: Int, firstRow: Bool) {
            let p = shifted[c], i = y * width + x
            let ra = x > 0 ? p[i - 1] : 0, rb = y > 0 ? p[i - width] : 0, rc = x > 0 && y > 0 ? p[i - width - 1] : 0
            let px: Int
            if firstRow { px = x == 0 ? 1 << (precision - pt - 1) : ra }
            else if x == 0 { px = rb }
            else {
                switch predictor {
                case 1: px = ra
                case 2: px = rb
                case 3: px = rc
                case 4: px = ra + rb - rc
                case 5: px = ra + ((rb - rc) >> 1)
                case 6: px = rb + ((ra - rc) >> 1)
                default: px = (ra + rb) >> 1
                }
            }
            var d = (p[i] - px) & 0xFFFF
            if d >= 32768 { d -= 65536 }
            if d == -32768 { put(16, 5); return }
            let s = d == 0 ? 0 : (Int.bitWidth - abs(d).leadingZeroBitCount)
            put(s, 5)
            if s > 0 { put(d >= 0 ? d : d + (1 << s) - 1, s) }
        }
        let scans: [[Int]] = interleaved ? [Array(0..<nf)] : (0..<nf).map { [$0] }
        for scan in scans {
            out += [0xFF, 0xDA, 0, UInt8(6 + 2 * scan.count), UInt8(scan.count)]
            for c in scan { out += [UInt8(c + 1), 0x00] }
            out += [UInt8(predictor), 0, UInt8(pt)]
            var restarts = 0, firstRow = true
            for y in 0..<height {
                if restartRows > 0, y > 0, y % restartRows == 0 {
                    flush(); out += [0xFF, 0xD0 + UInt8(restarts % 8)]; restarts += 1; firstRow = true
                }
                for x in 0..<width { for c in scan { encode(c, x, y, firstRow: firstRow) } }
                firstRow = false
            }
            flush()
        }
        return out + [0xFF, 0xD9]
    }
}
