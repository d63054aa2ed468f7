import XCTest
@testable import DICOMImaging

final class VOITransformTests: XCTestCase {
    func out(_ voi: VOITransform, _ x: Double, max: Int = 255, inverted: Bool = false) -> Int {
        voi.output(x, maxOutput: max, inverted: inverted)
    }

    func testLinearWindowEdges() {
        // C.11.2.1.2.1 with c = 2048, w = 4096: x ≤ c − 0.5 − (w−1)/2 = 0 → 0; x > 4095 → 255;
        // in between ((x − 2047.5)/4095 + 0.5) × 255, floored.
        let w = VOITransform.window(center: 2048, width: 4096, function: .linear)
        XCTAssertEqual(out(w, 0), 0)
        XCTAssertEqual(out(w, 1), 0)            // 0.0623 → 0
        XCTAssertEqual(out(w, 17), 1)           // 1.058 → 1
        XCTAssertEqual(out(w, 2048), 127)       // 127.53 → 127
        XCTAssertEqual(out(w, 4094), 254)       // 254.94 → 254
        XCTAssertEqual(out(w, 4095), 255)
        XCTAssertEqual(out(w, 9999), 255)
        XCTAssertEqual(out(w, -5), 0)
    }

    func testWidthOneIsAThreshold() {
        // w = 1: x ≤ c − 0.5 → 0, else 255.
        let w = VOITransform.window(center: 100, width: 1, function: .linear)
        XCTAssertEqual(out(w, 99.5), 0)
        XCTAssertEqual(out(w, 99.51), 255)
        XCTAssertEqual(out(w, 100), 255)
        XCTAssertFalse(VOITransform.window(center: 100, width: 0.5, function: .linear).isValid)
        XCTAssertTrue(VOITransform.window(center: 100, width: 0.5, function: .linearExact).isValid)
    }

    func testCTWindow() {
        // Soft tissue, c 40 w 400 on Hounsfield units: −160 and below black, 240 and above white.
        let w = VOITransform.window(center: 40, width: 400, function: .linear)
        XCTAssertEqual(out(w, -160), 0)
        XCTAssertEqual(out(w, -159), 0)         // ((−159 − 39.5)/399 + 0.5) × 255 = 0.64
        XCTAssertEqual(out(w, 40), 127)         // 127.82
        XCTAssertEqual(out(w, 239), 255)        // (199.5/399 + 0.5) × 255 = 255 exactly
        XCTAssertEqual(out(w, 238), 254)
        XCTAssertEqual(out(w, 40, max: 65535), 32849)  // (0.5/399 + 0.5) × 65535 = 32849.6
    }

    func testLinearExact() {
        // C.11.2.1.3.2: [c − w/2, c + w/2] maps exactly onto the output.
        let w = VOITransform.window(center: 50, width: 100, function: .linearExact)
        XCTAssertEqual(out(w, 0), 0)
        XCTAssertEqual(out(w, 0.01), 0)
        XCTAssertEqual(out(w, 50), 127)         // 127.5
        XCTAssertEqual(out(w, 99.99), 254)
        XCTAssertEqual(out(w, 100), 255)
        XCTAssertEqual(out(w, 100.01), 255)
        XCTAssertEqual(out(w, 25, inverted: true), 191)  // 255 − 63.75 = 191.25
    }

    func testSigmoid() {
        // C.11.2.1.3.1: 255 / (1 + exp(−4(x − c)/w)).
        let s = VOITransform.window(center: 0, width: 100, function: .sigmoid)
        XCTAssertEqual(out(s, 0), 127)          // 127.5
        XCTAssertEqual(out(s, 25), 186)         // 255 / (1 + e^−1) = 186.4
        XCTAssertEqual(out(s, -25), 68)         // 68.6
        XCTAssertEqual(out(s, 1e6), 255)
        XCTAssertEqual(out(s, -1e6), 0)
        XCTAssertEqual(out(s, 25, inverted: true), 68)   // 255 − 186.4 = 68.6
    }

    func testInversionFollowsDCMTKForLinear() {
        // Inverted, DCMTK evaluates the same line from 255 down to 0 and floors: 255 − 127.53 = 127.47 → 127.
        let w = VOITransform.window(center: 2048, width: 4096, function: .linear)
        XCTAssertEqual(out(w, 0, inverted: true), 255)
        XCTAssertEqual(out(w, 2048, inverted: true), 127)
        XCTAssertEqual(out(w, 4095, inverted: true), 0)
        XCTAssertEqual(out(w, 17, inverted: true), 253)  // 255 − 1.058 = 253.94
    }

    func testLUTScalesByBitsAndInvertsPerTheStandard() {
        let t = LookupTable(firstMapped: 10, bits: 12, entries: [0, 16, 4095, 2048])
        let v = VOITransform.lut(t)
        XCTAssertEqual(out(v, 0), 0)            // below first mapped: first entry
        XCTAssertEqual(out(v, 11), 1)           // 16 × 256/4096
        XCTAssertEqual(out(v, 12), 255)         // 4095 / 16 = 255.9
        XCTAssertEqual(out(v, 13), 128)
        XCTAssertEqual(out(v, 500), 128)        // above: last entry
        XCTAssertEqual(out(v, 12, inverted: true), 0)
        XCTAssertEqual(out(v, 10, inverted: true), 255)
        XCTAssertEqual(out(v, 12, max: 65535), 65520)
    }

    func testFullRange() {
        let f = VOITransform.fullRange(minimum: -2048, maximum: 2047)
        XCTAssertEqual(out(f, -2048), 0)
        XCTAssertEqual(out(f, 2047), 255)       // 4095 × 256/4096 = 255.94
        XCTAssertEqual(out(f, 0), 128)
        XCTAssertEqual(out(f, -2048, inverted: true), 255)
    }

    func testFunctionAttributeParsing() {
        XCTAssertEqual(VOILUTFunction(attribute: "SIGMOID"), .sigmoid)
        XCTAssertEqual(VOILUTFunction(attribute: "linear_exact"), .linearExact)
        XCTAssertEqual(VOILUTFunction(attribute: nil), .linear)
        XCTAssertEqual(VOILUTFunction(attribute: "GAMMA"), .linear)
    }
}
