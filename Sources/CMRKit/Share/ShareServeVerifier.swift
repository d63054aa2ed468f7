import Foundation
import CMRAudit
import CMRShare

/// The token verifier of `cmr share serve`: signature under the site's Ed25519 key (PASETO
/// v4.public, `ShareToken`), time window, and the revocation list of the share folder, read again
/// whenever it changes (`ShareStore`), so a revocation takes effect on the next request.
public enum ShareVerifier {
    public typealias Verify = @Sendable (_ token: String) -> Result<ShareGrant, GrantRefusal>

    /// Checks each token against `keys` and the revocations in `store`, at the time of the request.
    public static func make(keys: [NoteVerifier], store: ShareStore, now: @escaping @Sendable () -> Date = Date.init) -> Verify {
        return { token in
            do throws(GrantRefusal) {
                return .success(try ShareToken.verify(token, keys: keys, now: now(), revoked: store.revocationTime))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Counts a use of a grant in `store` (durably, across processes) and refuses past its
    /// `maxUses`. A share folder that cannot be written refuses the use (fail closed).
    public static func recordUse(store: ShareStore) -> ShareApp.RecordUse {
        return { grant, client in
            do {
                _ = try store.recordUse(id: grant.id, address: client, limit: grant.maxUses)
                return nil
            } catch let refusal as GrantRefusal {
                return refusal
            } catch {
                return .usesExhausted(grant.maxUses ?? 0)
            }
        }
    }
}
