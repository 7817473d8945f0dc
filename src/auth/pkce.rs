//! PKCE (RFC 7636) and `state` values, from random bytes the browser provides (`crypto.getRandomValues`); the
//! SHA-256 of the challenge is `crypto.subtle`'s (see `web::sha256`). Pure, so the encoding is tested natively.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 section 5), as PKCE uses it.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The code verifier for 32 random bytes: 43 characters, as RFC 7636 recommends.
pub fn verifier(random32: &[u8; 32]) -> String {
    base64url(random32)
}

/// `code_challenge` for S256, given the SHA-256 digest of the verifier's ASCII bytes.
pub fn challenge_from_digest(digest: &[u8]) -> String {
    base64url(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn challenge(verifier: &str) -> String {
        challenge_from_digest(&Sha256::digest(verifier.as_bytes()))
    }

    #[test]
    fn rfc7636_appendix_b() {
        // The verifier of Appendix B is the base64url of these 32 octets.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let v = verifier(&octets);
        assert_eq!(v, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge(&v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn ringcentral_guide_pair() {
        assert_eq!(
            challenge("pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E"),
            "_drLS7o5FwkfUiBhlq2hwJnK_SC6yE7sKOde5O1fdzk"
        );
    }

    #[test]
    fn base64url_lengths_and_alphabet() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(verifier(&[0; 32]).len(), 43);
    }
}
