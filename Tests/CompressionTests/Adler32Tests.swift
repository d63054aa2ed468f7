import Compression
import XCTest

final class Adler32Tests: XCTestCase {
    func testKnownValues() {
        XCTAssertEqual(Adler32.checksum(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(Adler32.checksum([]), 1)
        XCTAssertEqual(Adler32.checksum(Array("abc".utf8)), 0x024D_0127)
    }

    /// 100,000 bytes of 0xFF push the sums past the 5552-byte reduction block many times.
    func testLongInputMatchesDefinition() {
        let bytes = [UInt8](repeating: 0xFF, count: 100_000) + TestData.random(20_011, seed: 1)
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        XCTAssertEqual(Adler32.checksum(bytes), b << 16 | a)
    }

    func testStreamingUpdatesMatchOneShot() {
        let bytes = TestData.random(30_000, seed: 2)
        var adler = Adler32()
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let n = min(size, bytes.count - offset)
            adler.update(Array(bytes[offset..<(offset + n)]))
            offset += n
            size = size * 3 % 7919 + 1
        }
        XCTAssertEqual(adler.value, Adler32.checksum(bytes))
    }
}
