import Compression
import XCTest

final class CRC32Tests: XCTestCase {
    func testKnownValues() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([]), 0)
        XCTAssertEqual(
            CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    /// The table-driven update agrees with the bit-at-a-time definition at every length and
    /// alignment around the 8-byte step.
    func testMatchesBitwiseDefinition() {
        let bytes = TestData.random(300, seed: 3)
        for start in 0..<9 {
            for end in start..<min(start + 40, bytes.count) {
                var c: UInt32 = 0xFFFF_FFFF
                for byte in bytes[start..<end] {
                    c ^= UInt32(byte)
                    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
                }
                XCTAssertEqual(CRC32.checksum(Array(bytes[start..<end])), ~c)
            }
        }
    }

    func testStreamingUpdatesMatchOneShot() {
        let bytes = TestData.random(50_000, seed: 4)
        var crc = CRC32()
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let n = min(size, bytes.count - offset)
            crc.update(Array(bytes[offset..<(offset + n)]))
            offset += n
            size = size * 5 % 4099 + 1
        }
        XCTAssertEqual(crc.value, CRC32.checksum(bytes))
    }
}
