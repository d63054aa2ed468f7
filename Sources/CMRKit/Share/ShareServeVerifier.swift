import CMRShare

/// Builds the token verifier of `cmr share serve`: signature (the site's Ed25519 verifier key),
/// time window, revocation list and use count, as one function of the token.
///
/// TODO(merge): PLACEHOLDER. The grant engineer's verifier (token signing/verification and the
/// revocation store in `CMRShare/Grant` and `CMRKit/Share`) replaces the body of `make`. Until then
/// every token is refused with `.unknownKey`, so a server built from this branch serves the viewer
/// page and refusal pages only — never data. This is not done.
public enum ShareVerifier {
    public typealias Verify = @Sendable (_ token: String) -> Result<ShareGrant, GrantRefusal>

    /// The verifier for the key at `keyPath` (or `$CMR_SHARE_KEY`); throws `CMRError(.configuration)`
    /// when no key is named. Placeholder: refuses every token (see above).
    public static func make(keyPath: String?, environment: [String: String]) throws(CMRError) -> Verify {
        guard let path = keyPath ?? environment["CMR_SHARE_KEY"], !path.isEmpty else {
            throw CMRError(.configuration, "no key to verify share tokens with",
                           hint: "pass --key FILE (the site's share verifier key) or set CMR_SHARE_KEY")
        }
        return { _ in .failure(.unknownKey("token verification is not available in this build (\(path))")) }
    }
}
