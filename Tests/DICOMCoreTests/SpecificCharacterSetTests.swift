import DICOMDictionary
import XCTest

@testable import DICOMCore

final class SpecificCharacterSetTests: XCTestCase {
    // MARK: Helpers

    /// Bytes from a string of Latin-1 characters, escapes and all (`"\u{1B}$B;3ED"`), as the standard
    /// prints them.
    func bytes(_ latin1: String) -> [UInt8] {
        latin1.unicodeScalars.map { UInt8($0.value) }
    }

    func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// Checks that `encoded` decodes to `text`, and that `text` encodes back to exactly `encoded`.
    func assertExample(
        _ terms: [String], _ vr: VR, _ encoded: [UInt8], _ text: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let charset = SpecificCharacterSet(terms: terms)
        XCTAssertEqual(charset.unknownTerms, [], file: file, line: line)
        XCTAssertEqual(charset.decode(encoded, vr: vr), text, "decoding", file: file, line: line)
        XCTAssertEqual(charset.encode(text, vr: vr), encoded, "encoding", file: file, line: line)
    }

    // MARK: PS3.5 Annex H: Japanese

    func testAnnexH31JapaneseJISX0208() {
        assertExample(
            ["", "ISO 2022 IR 87"], .PN,
            bytes("Yamada^Tarou=\u{1B}$B;3ED\u{1B}(B^\u{1B}$BB@O:\u{1B}(B=\u{1B}$B$d$^$@\u{1B}(B^\u{1B}$B$?$m$&\u{1B}(B"),
            "Yamada^Tarou=山田^太郎=やまだ^たろう")
    }

    func testAnnexH31ExactBytes() {
        // The example as PS3.5 lists it, in hexadecimal.
        let encoded = hex(
            "59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b28423d1b2442246424"
                + "5e24401b28425e1b2442243f246d24261b2842")
        assertExample(["", "ISO 2022 IR 87"], .PN, encoded, "Yamada^Tarou=山田^太郎=やまだ^たろう")
    }

    func testAnnexH32JapaneseKatakanaAndJISX0208() {
        assertExample(
            ["ISO 2022 IR 13", "ISO 2022 IR 87"], .PN,
            bytes(
                "\u{D4}\u{CF}\u{C0}\u{DE}^\u{C0}\u{DB}\u{B3}=\u{1B}$B;3ED\u{1B}(J^\u{1B}$BB@O:\u{1B}(J="
                    + "\u{1B}$B$d$^$@\u{1B}(J^\u{1B}$B$?$m$&\u{1B}(J"),
            "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")
    }

    func testJapaneseJISX0212() {
        // 鷗 is only in JIS X 0212; 外 is back in JIS X 0208 (the pydicom issue tracker's example).
        assertExample(
            ["ISO 2022 IR 6", "ISO 2022 IR 87", "ISO 2022 IR 159"], .PN,
            bytes(
                "Mori^Ogai=\u{1B}$B?9\u{1B}(B^\u{1B}$(Dl?\u{1B}$B30\u{1B}(B=\u{1B}$B$b$j\u{1B}(B^"
                    + "\u{1B}$B$*$&$,$$\u{1B}(B"),
            "Mori^Ogai=森^鷗外=もり^おうがい")
    }

    func testISOIR13WithoutExtensions() {
        assertExample(["ISO_IR 13"], .PN, [0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3], "ﾔﾏﾀﾞ^ﾀﾛｳ")
        // JIS X 0201 Romaji is read as ASCII: 05/12 stays the backslash.
        let charset = SpecificCharacterSet(terms: ["ISO_IR 13"])
        XCTAssertEqual(charset.decode(bytes("a\\b~"), vr: .LO), "a\\b~")
        XCTAssertNil(charset.encode("山", vr: .LO))
    }

    // MARK: PS3.5 Annex I: Korean

    func testAnnexIKorean() {
        assertExample(
            ["", "ISO 2022 IR 149"], .PN,
            bytes(
                "Hong^Gildong=\u{1B}$)C\u{FB}\u{F3}^\u{1B}$)C\u{D1}\u{CE}\u{D4}\u{D7}="
                    + "\u{1B}$)C\u{C8}\u{AB}^\u{1B}$)C\u{B1}\u{E6}\u{B5}\u{BF}"),
            "Hong^Gildong=洪^吉洞=홍^길동")
    }

    func testKoreanTextDesignatesAgainAfterEachLine() {
        let text = "The 1st line includes 한글.\r\nThe 2nd line includes 한글, too.\r\nThe 3rd line."
        let encoded = bytes(
            "The 1st line includes \u{1B}$)C\u{C7}\u{D1}\u{B1}\u{DB}.\r\n"
                + "The 2nd line includes \u{1B}$)C\u{C7}\u{D1}\u{B1}\u{DB}, too.\r\nThe 3rd line.")
        assertExample(["", "ISO 2022 IR 149"], .LT, encoded, text)
    }

    func testKoreanDeclaredAsValueOneDecodesWithoutEscapes() {
        // Seen in the wild: "ISO 2022 IR 149" alone and EUC-KR bytes with no escape sequence.
        let charset = SpecificCharacterSet(terms: ["ISO 2022 IR 149"])
        XCTAssertEqual(charset.decode([0x48, 0x5E, 0xC7, 0xD1, 0xB1, 0xDB], vr: .PN), "H^한글")
        // The encoder still designates KS X 1001 explicitly.
        XCTAssertEqual(charset.encode("한", vr: .PN), bytes("\u{1B}$)C\u{C7}\u{D1}"))
    }

    // MARK: PS3.5 Annex J: UTF-8 and GB18030

    func testAnnexJUTF8() {
        assertExample(
            ["ISO_IR 192"], .PN,
            hex("57616e675e5869616f446f6e673de78e8b5ee5b08fe69db13d"),
            "Wang^XiaoDong=王^小東=")
    }

    func testAnnexJGB18030() {
        assertExample(
            ["GB18030"], .PN,
            hex("57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d"),
            "Wang^XiaoDong=王^小东=")
    }

    func testGB18030FourByteCodes() {
        let charset = SpecificCharacterSet(terms: ["GB18030"])
        // U+0080, U+FFFF and the first and last supplementary code points.
        let encoded = hex("81308130" + "8431a439" + "90308130" + "e3329a35")
        let text = "\u{80}\u{FFFF}\u{10000}\u{10FFFF}"
        XCTAssertEqual(charset.decode(encoded, vr: .LT), text)
        XCTAssertEqual(charset.encode(text, vr: .LT), encoded)
        XCTAssertEqual(charset.encode("€", vr: .LT), [0xA2, 0xE3])
        // Beyond the BMP table, before the supplementary planes: nothing.
        XCTAssertEqual(charset.decode(hex("8431a530"), vr: .LT), "\u{FFFD}")
    }

    func testGBKIsTheTwoBytePartOfGB18030() {
        let charset = SpecificCharacterSet(terms: ["GBK"])
        assertExample(["GBK"], .PN, hex("57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d"), "Wang^XiaoDong=王^小东=")
        XCTAssertNil(charset.encode("\u{10000}", vr: .LT))
        XCTAssertNil(charset.encode("€", vr: .LT), "Python's gbk has no euro sign")
        XCTAssertEqual(charset.decode(hex("81308130"), vr: .LT), "\u{FFFD}0\u{FFFD}0")
    }

    func testGB18030TrailByteThatLooksLikeADelimiter() {
        // 0x5C and 0x5E are trail bytes of two-byte codes: decode the value before splitting it.
        let charset = SpecificCharacterSet(terms: ["GB18030"])
        let text = charset.decode([0x81, 0x5C, 0x5C, 0x81, 0x5E], vr: .LO)
        XCTAssertEqual(text.unicodeScalars.count, 3)
        XCTAssertEqual(text.split(separator: "\\").count, 2)
        XCTAssertEqual(charset.encode(text, vr: .LO), [0x81, 0x5C, 0x5C, 0x81, 0x5E])
    }

    // MARK: PS3.5 Annex K: GB 2312 with code extensions

    func testAnnexKChineseGB2312() {
        assertExample(
            ["", "ISO 2022 IR 58"], .PN,
            bytes("Zhang^XiaoDong=\u{1B}$)A\u{D5}\u{C5}^\u{1B}$)A\u{D0}\u{A1}\u{B6}\u{AB}="),
            "Zhang^XiaoDong=张^小东=")
    }

    func testChineseTextLines() {
        let encoded = bytes(
            "1. \u{1B}$)A\u{B5}\u{DA}\u{D2}\u{BB}\u{D0}\u{D0}\u{CE}\u{C4}\u{D7}\u{D6}\u{A1}\u{A3}\r\n"
                + "2. \u{1B}$)A\u{B5}\u{DA}\u{B6}\u{FE}\u{D0}\u{D0}\u{CE}\u{C4}\u{D7}\u{D6}\u{A1}\u{A3}\r\n")
        assertExample(["", "ISO 2022 IR 58"], .LT, encoded, "1. 第一行文字。\r\n2. 第二行文字。\r\n")
        // A writer that also returns G0 to ASCII before the line end reads the same.
        let charset = SpecificCharacterSet(terms: ["", "ISO 2022 IR 58"])
        XCTAssertEqual(
            charset.decode(bytes("1. \u{1B}$)A\u{B5}\u{DA}\u{1B}(B\r\n"), vr: .LT), "1. 第\r\n")
    }

    // MARK: Single-byte sets (David Clunie's sample names)

    func testSingleByteSamples() {
        assertExample(["ISO_IR 100"], .PN, bytes("Buc^J\u{E9}r\u{F4}me"), "Buc^Jérôme")
        assertExample(["ISO_IR 100"], .PN, bytes("\u{C4}neas^R\u{FC}diger"), "Äneas^Rüdiger")
        assertExample(["ISO_IR 101"], .PN, hex("a3f364bc5eaff3b3e6"), "Łódź^Żółć")
        assertExample(["ISO_IR 109"], .PN, hex("a1616c5ed575bf65707069"), "Ħal^Ġużeppi")
        assertExample(["ISO_IR 110"], .PN, hex("d3ba6e69f1b9"), "Ķēniņš")
        assertExample(["ISO_IR 144"], .PN, hex("bbeedae1d5dcd1e3e0d3"), "Люксембург")
        assertExample(["ISO_IR 144"], .PN, hex("bbeeda6365dcd17970d3"), "Люкceмбypг")
        assertExample(["ISO_IR 127"], .PN, hex("e2c8c7e6ea5ee4e6d2c7d1"), "قباني^لنزار")
        assertExample(["ISO_IR 126"], .PN, hex("c4e9efedf5f3e9eff2"), "Διονυσιος")
        assertExample(["ISO_IR 138"], .PN, hex("f9f8e5ef5ee3e1e5f8e4"), "שרון^דבורה")
        assertExample(["ISO_IR 148"], .PN, hex("d0fc6e65fe5e49fefd6b"), "Ğüneş^Işık")
        assertExample(["ISO_IR 203"], .PN, hex("a475726f5ebc75767265"), "€uro^Œuvre")
        assertExample(["ISO_IR 166"], .PN, hex("c0d2c9d2e4b7c25ecac1aad2c2"), "ภาษาไทย^สมชาย")
    }

    func testSingleByteWithCodeExtensionsSwitchesG1() {
        let charset = SpecificCharacterSet(terms: ["ISO 2022 IR 100", "ISO 2022 IR 144"])
        XCTAssertTrue(charset.usesCodeExtensions)
        // Latin-1 is G1 at first; Cyrillic is designated, then Latin-1 again before the delimiter and the end.
        let encoded = bytes("J\u{E9}r\u{1B}-L\u{D6}\u{1B}-A^\u{E9}\u{1B}-L\u{D6}\u{1B}-A")
        XCTAssertEqual(charset.encode("Jérж^éж", vr: .PN), encoded)
        XCTAssertEqual(charset.decode(encoded, vr: .PN), "Jérж^éж")
        // Without the re-designation the state still resets at '^'.
        XCTAssertEqual(charset.decode(bytes("\u{1B}-L\u{D6}^\u{D6}"), vr: .PN), "ж^Ö")
        // …but not in LT, whose '^' is just a character.
        XCTAssertEqual(charset.decode(bytes("\u{1B}-L\u{D6}^\u{D6}"), vr: .LT), "ж^ж")
    }

    func testBackslashResetsOnlyMultiValuedVRs() {
        let charset = SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"])
        let value = bytes("\u{1B}$)C\u{C7}\u{D1}\\\u{C7}\u{D1}")
        XCTAssertEqual(charset.decode(value, vr: .LO), "한\\\u{FFFD}\u{FFFD}")
        XCTAssertEqual(charset.decode(value, vr: .UT), "한\\한")
        XCTAssertEqual(charset.encode("한\\한", vr: .LO), bytes("\u{1B}$)C\u{C7}\u{D1}\\\u{1B}$)C\u{C7}\u{D1}"))
    }

    func testSingleByteEncodingRejectsOtherRepertoires() {
        XCTAssertNil(SpecificCharacterSet(terms: ["ISO_IR 100"]).encode("Jérôme ж", vr: .LO))
        XCTAssertNil(SpecificCharacterSet.default.encode("Jérôme", vr: .LO))
        XCTAssertNil(SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"]).encode("한", vr: .LO))
        XCTAssertNil(SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"]).encode("a\u{1B}b", vr: .LO))
    }

    func testEncodingComposesDecomposedCharacters() {
        let charset = SpecificCharacterSet(terms: ["ISO_IR 100"])
        XCTAssertEqual(charset.encode("Buc^Je\u{301}ro\u{302}me", vr: .PN), bytes("Buc^J\u{E9}r\u{F4}me"))
    }

    // MARK: VRs outside the Specific Character Set

    func testVRsWithoutSpecificCharacterSetAreASCII() {
        let charset = SpecificCharacterSet(terms: ["ISO_IR 100"])
        XCTAssertEqual(charset.decode(bytes("ORIGINAL\\PRIMARY"), vr: .CS), "ORIGINAL\\PRIMARY")
        XCTAssertEqual(charset.decode(bytes("A\u{E9}"), vr: .CS), "A\u{FFFD}")
        XCTAssertEqual(charset.decode(bytes("1.2.840\0"), vr: .UI), "1.2.840\0")
        XCTAssertNil(charset.encode("É", vr: .DA))
        XCTAssertEqual(charset.encode("20240101", vr: .DA), bytes("20240101"))
        // Invalid in these VRs either way; well-formed UTF-8 is shown as such (DICOM JSON writes it
        // there, and a JSON round trip must be a fixed point: FuzzRegressionTests), anything else
        // as U+FFFD per byte.
        XCTAssertEqual(SpecificCharacterSet.utf8.decode([0xC3, 0xA9], vr: .AE), "\u{E9}")
        XCTAssertEqual(SpecificCharacterSet.utf8.decode([0x41, 0xC3], vr: .AE), "A\u{FFFD}")
    }

    // MARK: Terms

    func testDefaultRepertoire() {
        for terms in [[], [""], ["ISO_IR 6"], ["  ISO_IR 6 "]] {
            let charset = SpecificCharacterSet(terms: terms)
            XCTAssertTrue(charset.isDefault, "\(terms)")
            XCTAssertTrue(charset.isUTF8Compatible)
            XCTAssertFalse(charset.hasIssues)
        }
        XCTAssertEqual(SpecificCharacterSet.default.decode(bytes("Buc^J\u{E9}r\u{F4}me"), vr: .PN), "Buc^J\u{FFFD}r\u{FFFD}me")
        XCTAssertFalse(SpecificCharacterSet(terms: ["ISO_IR 100"]).isDefault)
        XCTAssertFalse(SpecificCharacterSet(terms: ["ISO_IR 100"]).usesCodeExtensions)
        XCTAssertTrue(SpecificCharacterSet.utf8.isUTF8Compatible)
        XCTAssertTrue(SpecificCharacterSet.utf8.encodesAllCharacters)
        XCTAssertTrue(SpecificCharacterSet(terms: ["GB18030"]).encodesAllCharacters)
        XCTAssertFalse(SpecificCharacterSet(terms: ["GBK"]).encodesAllCharacters)
    }

    func testValueParsing() {
        let charset = SpecificCharacterSet(value: "ISO 2022 IR 13\\ISO 2022 IR 87 ")
        XCTAssertEqual(charset.terms, ["ISO 2022 IR 13", "ISO 2022 IR 87"])
        XCTAssertEqual(charset, SpecificCharacterSet(terms: ["ISO 2022 IR 13", "ISO 2022 IR 87"]))
        XCTAssertEqual(charset.description, "ISO 2022 IR 13\\ISO 2022 IR 87")
        XCTAssertEqual(SpecificCharacterSet(value: "\\ISO 2022 IR 87").terms, ["", "ISO 2022 IR 87"])
        XCTAssertTrue(SpecificCharacterSet(value: "").isDefault)
    }

    func testUnknownTermFallsBackAndIsReported() {
        let charset = SpecificCharacterSet(terms: ["ISO_IR 999"])
        XCTAssertEqual(charset.unknownTerms, ["ISO_IR 999"])
        XCTAssertTrue(charset.hasIssues)
        XCTAssertEqual(charset.decode(bytes("Buc^J\u{E9}r\u{F4}me"), vr: .PN), "Buc^J\u{FFFD}r\u{FFFD}me")
        XCTAssertEqual(charset.decode(bytes("Smith^John"), vr: .PN), "Smith^John")

        // The known values still count.
        let mixed = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87", "KLINGON"])
        XCTAssertEqual(mixed.unknownTerms, ["KLINGON"])
        XCTAssertEqual(mixed.decode(bytes("\u{1B}$B;3ED\u{1B}(B"), vr: .PN), "山田")
    }

    func testMisspelledTermsAreRecognisedAndReported() {
        for term in ["ISO IR 100", "ISO-IR 100", "ISO_IR100", "iso_ir 100", "ISO_IR_100"] {
            let charset = SpecificCharacterSet(terms: [term])
            XCTAssertEqual(charset.misspelledTerms, [term: "ISO_IR 100"], term)
            XCTAssertEqual(charset.unknownTerms, [], term)
            XCTAssertEqual(charset.decode([0xE9], vr: .LO), "é", term)
        }
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR192"]).decode([0xC3, 0xA9], vr: .LO), "é")
        XCTAssertEqual(SpecificCharacterSet(terms: ["", "ISO 2022 IR87"]).misspelledTerms, ["ISO 2022 IR87": "ISO 2022 IR 87"])
    }

    func testTermsThatAllowNoExtensionsIgnoreTheRest() {
        let charset = SpecificCharacterSet(terms: ["ISO_IR 192", "ISO 2022 IR 87"])
        XCTAssertEqual(charset.ignoredTerms, ["ISO 2022 IR 87"])
        XCTAssertEqual(charset.decode([0xC3, 0xA9], vr: .LO), "é")
        let late = SpecificCharacterSet(terms: ["ISO 2022 IR 6", "GB18030"])
        XCTAssertEqual(late.ignoredTerms, ["GB18030"])
        XCTAssertTrue(late.isDefault)
        let repeated = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87", "ISO 2022 IR 87"])
        XCTAssertEqual(repeated.ignoredTerms, ["ISO 2022 IR 87"])
    }

    // MARK: Robustness

    func testUndeclaredEscapeSequencesAreHonoured() {
        // No (0008,0005) at all, yet ISO 2022 Japanese: decode it rather than show escapes.
        XCTAssertEqual(SpecificCharacterSet.default.decode(bytes("\u{1B}$B;3ED\u{1B}(B^Taro"), vr: .PN), "山田^Taro")
        // ESC in a single-byte value that designates nothing stays a control character.
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 100"]).decode(bytes("a\u{1B}\u{E9}"), vr: .LT), "a\u{1B}é")
    }

    func testInvalidBytesBecomeReplacementCharacters() {
        let japanese = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        // Unknown escape, truncated escape, an odd byte in a two-byte set, an undefined cell.
        XCTAssertEqual(japanese.decode(bytes("a\u{1B}%Gb"), vr: .LO), "a\u{FFFD}b")
        XCTAssertEqual(japanese.decode(bytes("a\u{1B}$"), vr: .LO), "a\u{FFFD}$")
        XCTAssertEqual(japanese.decode(bytes("\u{1B}$B;"), vr: .LO), "\u{FFFD}")
        XCTAssertEqual(japanese.decode(bytes("\u{1B}$B\u{22}\u{2F}"), vr: .LO), "\u{FFFD}")
        XCTAssertEqual(japanese.decode(bytes("\u{E9}"), vr: .LO), "\u{FFFD}")
        XCTAssertEqual(SpecificCharacterSet.utf8.decode([0x61, 0xFF, 0xC3], vr: .LO), "a\u{FFFD}\u{FFFD}")
        XCTAssertEqual(SpecificCharacterSet(terms: ["GB18030"]).decode([0x80, 0xFF, 0x81], vr: .LO), "\u{FFFD}\u{FFFD}\u{FFFD}")
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 127"]).decode([0xA1], vr: .LO), "\u{FFFD}")
        let korean = SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"])
        XCTAssertEqual(korean.decode(bytes("\u{1B}$)C\u{C7}a"), vr: .LO), "\u{FFFD}a")
    }

    func testRandomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED)
        let charsets = Self.allDefinedTerms.map { SpecificCharacterSet(terms: [$0]) } + [
            SpecificCharacterSet(terms: ["", "ISO 2022 IR 87", "ISO 2022 IR 159"]),
            SpecificCharacterSet(terms: ["ISO 2022 IR 13", "ISO 2022 IR 87"]),
            SpecificCharacterSet(terms: ["", "ISO 2022 IR 149", "ISO 2022 IR 58", "ISO 2022 IR 100"]),
        ]
        // Biased towards the bytes that matter: ESC, intermediates, delimiters, high bytes.
        let interesting: [UInt8] = [0x1B, 0x24, 0x28, 0x29, 0x2D, 0x42, 0x43, 0x41, 0x44, 0x4A, 0x49, 0x5E, 0x3D, 0x5C, 0x0D, 0x81, 0x30, 0xA1, 0xFE, 0xFF, 0x80]
        for _ in 0..<1_500 {
            let length = Int(generator.next() % 24)
            let value: [UInt8] = (0..<length).map { _ in
                let r = generator.next()
                return r & 1 == 0 ? interesting[Int(r >> 8) % interesting.count] : UInt8(truncatingIfNeeded: r >> 16)
            }
            for charset in charsets {
                for vr in [VR.PN, .LO, .LT, .CS] {
                    let text = charset.decode(value, vr: vr)
                    XCTAssertLessThanOrEqual(text.unicodeScalars.count, max(value.count, 1))
                    // Whatever decoded (replacement characters aside) encodes again.
                    if !text.contains("\u{FFFD}"), !text.unicodeScalars.contains(where: { $0.value == 0x1B }),
                        let again = charset.encode(text, vr: vr)
                    {
                        XCTAssertEqual(charset.decode(again, vr: vr), text)
                    }
                }
            }
        }
    }

    func testEveryPrefixOfTheExamplesDecodes() {
        let japanese = SpecificCharacterSet(terms: ["ISO 2022 IR 13", "ISO 2022 IR 87"])
        let value = japanese.encode("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", vr: .PN)!
        for end in 0...value.count {
            _ = japanese.decode(value[0..<end], vr: .PN)
        }
        let gb = SpecificCharacterSet(terms: ["GB18030"])
        let gbValue = gb.encode("王\u{80}\u{10000}€", vr: .LO)!
        for end in 0...gbValue.count {
            _ = gb.decode(gbValue[0..<end], vr: .LO)
        }
    }

    func testDecodeAcceptsDataAndSlices() {
        let charset = SpecificCharacterSet(terms: ["ISO_IR 100"])
        let data = Data([0x41, 0xE9])
        XCTAssertEqual(charset.decode(data, vr: .LO), "Aé")
        XCTAssertEqual(charset.decode([0x20, 0x41, 0xE9][1...], vr: .LO), "Aé")
        XCTAssertEqual(charset.decode(NonContiguousBytes([0x41, 0xE9]), vr: .LO), "Aé")
        [UInt8]([0x41, 0xE9]).withUnsafeBytes { raw in
            XCTAssertEqual(charset.decode(raw, vr: .LO), "Aé")
        }
    }

    // MARK: Fast path

    func testASCIIFastPathDetectsEscapeAndHighBytesAnywhere() {
        let japanese = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        for offset in 0..<20 {
            var value = [UInt8](repeating: 0x41, count: 20)
            value[offset] = 0xE9
            XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 100"]).decode(value, vr: .LO).unicodeScalars.filter { $0 == "é" }.count, 1)
            var escaped = [UInt8](repeating: 0x41, count: 20) + bytes("\u{1B}(B")
            escaped.insert(contentsOf: bytes("\u{1B}$B;3"), at: offset)
            XCTAssertTrue(japanese.decode(escaped, vr: .LO).contains("山"), "\(offset)")
        }
    }

    func testLargeASCIIAndUTF8Values() {
        let ascii = [UInt8](repeating: 0x61, count: 1 << 20)
        XCTAssertEqual(SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"]).decode(ascii, vr: .UT).utf8.count, 1 << 20)
        let utf8 = Array(String(repeating: "王é", count: 100_000).utf8)
        XCTAssertEqual(SpecificCharacterSet.utf8.decode(utf8, vr: .UT).utf8.count, utf8.count)
    }

    // MARK: Table-wide round trips

    func testEveryTwoByteCellRoundTrips() {
        let sets: [(String, SpecificCharacterSet.GraphicSet)] = [
            ("ISO 2022 IR 87", .jisX0208), ("ISO 2022 IR 159", .jisX0212),
            ("ISO 2022 IR 149", .ksX1001), ("ISO 2022 IR 58", .gb2312),
        ]
        for (term, set) in sets {
            let charset = SpecificCharacterSet(terms: ["", term])
            let register = SpecificCharacterSet.Register(set)
            var text = ""
            var count = 0
            for row in UInt8(0x21)...0x7E {
                for cell in UInt8(0x21)...0x7E {
                    let scalar = register.scalar(row: row, cell: cell)
                    guard scalar != 0xFFFD else { continue }
                    XCTAssertEqual(set.position(of: scalar), UInt16(row) << 8 | UInt16(cell))
                    text.unicodeScalars.append(Unicode.Scalar(scalar)!)
                    count += 1
                }
            }
            guard let encoded = charset.encode(text, vr: .UT) else {
                XCTFail("\(term) does not encode its own repertoire")
                continue
            }
            XCTAssertEqual(charset.decode(encoded, vr: .UT), text, term)
            XCTAssertGreaterThan(count, 6_000, term)
        }
    }

    func testEveryGB18030CodePointRoundTrips() {
        let charset = SpecificCharacterSet(terms: ["GB18030"])
        var text = ""
        for value in UInt32(0)...0x10FFFF where !(0xD800...0xDFFF).contains(value) {
            text.unicodeScalars.append(Unicode.Scalar(value)!)
        }
        guard let encoded = charset.encode(text, vr: .UT) else { return XCTFail("GB18030 encodes everything") }
        XCTAssertEqual(charset.decode(encoded, vr: .UT), text)
    }

    static let allDefinedTerms = [
        "ISO_IR 6", "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144", "ISO_IR 127",
        "ISO_IR 126", "ISO_IR 138", "ISO_IR 148", "ISO_IR 203", "ISO_IR 166", "ISO_IR 13", "ISO_IR 192",
        "GB18030", "GBK", "ISO 2022 IR 6", "ISO 2022 IR 100", "ISO 2022 IR 101", "ISO 2022 IR 109",
        "ISO 2022 IR 110", "ISO 2022 IR 144", "ISO 2022 IR 127", "ISO 2022 IR 126", "ISO 2022 IR 138",
        "ISO 2022 IR 148", "ISO 2022 IR 203", "ISO 2022 IR 166", "ISO 2022 IR 13", "ISO 2022 IR 87",
        "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58",
    ]

    func testEveryDefinedTermIsRecognised() {
        for term in Self.allDefinedTerms {
            let charset = SpecificCharacterSet(terms: [term])
            XCTAssertFalse(charset.hasIssues, term)
            XCTAssertEqual(charset.decode(bytes("Smith^John"), vr: .PN), "Smith^John", term)
        }
    }
}

extension SpecificCharacterSetTests {
    /// A small deterministic generator for the fuzz test.
    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A collection without contiguous storage, to exercise the copying path.
    struct NonContiguousBytes: Collection {
        let storage: [UInt8]
        init(_ storage: [UInt8]) { self.storage = storage }
        var startIndex: Int { storage.startIndex }
        var endIndex: Int { storage.endIndex }
        func index(after i: Int) -> Int { i + 1 }
        subscript(position: Int) -> UInt8 { storage[position] }
    }
}
