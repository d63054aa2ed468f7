// libFuzzer entry for share tokens (scripts/fuzz token): PASETO v4.public parsing, claims and
// verification. The input is used twice: as a token itself, and as (position, byte) pairs that
// tamper with a genuine token. Invariants: never traps; random input never verifies; a tampered
// token never verifies unless it is the genuine token again (strict base64url: one encoding only).
import Foundation
import CMRAudit
import CMRCrypto
import CMRShare

let signer = try! NoteSigner(name: "fuzz.example/share", privateKey: Ed25519.PrivateKey(seed: [UInt8](repeating: 7, count: 32)))
let now = Date(timeIntervalSince1970: 1_800_000_000)
let genuine = ShareToken.issue(ShareGrant(id: "00112233445566778899aabbccddeeff", issuer: signer.name, recipient: "dr@example.org",
                                          studyUID: "1.2.3", seriesUIDs: ["1.2.3.4"], scope: .view,
                                          notBefore: now.addingTimeInterval(-60), expires: now.addingTimeInterval(3600),
                                          maxUses: 3, mode: "deidentified"), signer: signer)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: input, as: UTF8.self)
    _ = ShareToken.unverifiedGrant(text)
    if text != genuine { precondition((try? ShareToken.verify(text, keys: [signer.verifier], now: now)) == nil, "random input verified") }

    var tampered = Array(genuine.utf8)
    var i = 0
    while i + 1 < input.count {
        tampered[(Int(input[i]) * 7 + i) % tampered.count] = input[i + 1]
        i += 2
    }
    let candidate = String(decoding: tampered, as: UTF8.self)
    let verified = try? ShareToken.verify(candidate, keys: [signer.verifier], now: now)
    precondition(verified == nil || candidate == genuine, "a tampered token verified")
    return 0
}
