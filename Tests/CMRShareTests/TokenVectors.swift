/// The v4.public vectors of paseto-standard/test-vectors (v4.json), kept as data: 4-S-1..3 must
/// sign to exactly these tokens and verify; the failure vectors 4-F-* must be refused.
enum TokenVectors {
    struct Vector {
        var name: String
        var expectFail: Bool
        var publicKey: String
        var secretKey: String
        var token: String
        var payload: String?
        var footer: String
        var implicitAssertion: String
    }

    static let publicKey = "1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2"
    static let secretKey = "b4cbfb43df4ce210727d953e4a713307fa19bb7d9f85041438d9e11b942a3774"
        + "1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2"
    static let payload = #"{"data":"this is a signed message","exp":"2022-01-01T00:00:00+00:00"}"#
    static let kidFooter = #"{"kid":"zVhMiPBP9fRf2snEcT7gFTioeA9COcNy9DfgL1W60haN"}"#

    static let all: [Vector] = [
        Vector(name: "4-S-1", expectFail: false, publicKey: publicKey, secretKey: secretKey,
               token: "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDowMCswMDowMCJ9bg_XBBzds8lTZShVlwwKSgeKpLT3yukTw6JUz3W4h_ExsQV-P0V54zemZDcAxFaSeef1QlXEFtkqxT1ciiQEDA",
               payload: payload, footer: "", implicitAssertion: ""),
        Vector(name: "4-S-2", expectFail: false, publicKey: publicKey, secretKey: secretKey,
               token: "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDowMCswMDowMCJ9v3Jt8mx_TdM2ceTGoqwrh4yDFn0XsHvvV_D0DtwQxVrJEBMl0F2caAdgnpKlt4p7xBnx1HcO-SPo8FPp214HDw.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9",
               payload: payload, footer: kidFooter, implicitAssertion: ""),
        Vector(name: "4-S-3", expectFail: false, publicKey: publicKey, secretKey: secretKey,
               token: "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDowMCswMDowMCJ9NPWciuD3d0o5eXJXG5pJy-DiVEoyPYWs1YSTwWHNJq6DZD3je5gf-0M4JR9ipdUSJbIovzmBECeaWmaqcaP0DQ.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9",
               payload: payload, footer: kidFooter, implicitAssertion: #"{"test-vector":"4-S-3"}"#),
        // A v4.local token offered to a public-key verifier.
        Vector(name: "4-F-1", expectFail: true, publicKey: publicKey, secretKey: secretKey,
               token: "v4.local.vngXfCISbnKgiP6VWGuOSlYrFYU300fy9ijW33rznDYgxHNPwWluAY2Bgb0z54CUs6aYYkIJ-bOOOmJHPuX_34Agt_IPlNdGDpRdGNnBz2MpWJvB3cttheEc1uyCEYltj7wBQQYX.YXJiaXRyYXJ5LXN0cmluZy10aGF0LWlzbid0LWpzb24",
               payload: nil, footer: "arbitrary-string-that-isn't-json", implicitAssertion: #"{"test-vector":"4-F-1"}"#),
        // A v4.public token that must never decode.
        Vector(name: "4-F-2", expectFail: true, publicKey: publicKey, secretKey: secretKey,
               token: "v4.public.eyJpbnZhbGlkIjoidGhpcyBzaG91bGQgbmV2ZXIgZGVjb2RlIn22Sp4gjCaUw0c7EH84ZSm_jN_Qr41MrgLNu5LIBCzUr1pn3Z-Wukg9h3ceplWigpoHaTLcwxj0NsI1vjTh67YB.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9",
               payload: nil, footer: kidFooter, implicitAssertion: #"{"test-vector":"4-F-2"}"#),
        // A v3.local token.
        Vector(name: "4-F-3", expectFail: true, publicKey: publicKey, secretKey: secretKey,
               token: "v3.local.23e_2PiqpQBPvRFKzB0zHhjmxK3sKo2grFZRRLM-U7L0a8uHxuF9RlVz3Ic6WmdUUWTxCaYycwWV1yM8gKbZB2JhygDMKvHQ7eBf8GtF0r3K0Q_gF1PXOxcOgztak1eD1dPe9rLVMSgR0nHJXeIGYVuVrVoLWQ.YXJiaXRyYXJ5LXN0cmluZy10aGF0LWlzbid0LWpzb24",
               payload: nil, footer: "arbitrary-string-that-isn't-json", implicitAssertion: #"{"test-vector":"4-F-3"}"#),
    ]
}
