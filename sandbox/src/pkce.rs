//! PKCE verification (RFC 7636 section 4.6).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// How the client turned its verifier into the challenge.
#[derive(Debug, Clone, PartialEq)]
pub enum ChallengeMethod {
    Plain,
    S256,
}

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`, no padding.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A verifier is 43–128 unreserved characters (`[A-Z] [a-z] [0-9] - . _ ~`).
pub fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

pub fn verify(verifier: &str, challenge: &str, method: &ChallengeMethod) -> bool {
    if !is_valid_verifier(verifier) {
        return false;
    }
    match method {
        ChallengeMethod::S256 => s256(verifier) == challenge,
        ChallengeMethod::Plain => verifier == challenge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn ringcentral_guide_pair() {
        assert_eq!(
            s256("pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E"),
            "_drLS7o5FwkfUiBhlq2hwJnK_SC6yE7sKOde5O1fdzk"
        );
    }

    #[test]
    fn plain_and_bad_verifiers() {
        let v = "a".repeat(43);
        assert!(verify(&v, &v, &ChallengeMethod::Plain));
        assert!(!verify("short", "short", &ChallengeMethod::Plain));
        assert!(!verify(
            &"a".repeat(43),
            &s256(&"b".repeat(43)),
            &ChallengeMethod::S256
        ));
        assert!(!verify(&"é".repeat(43), "x", &ChallengeMethod::Plain));
    }
}
