//! Signing an identity request's body as the app's own clients do (`[check.identity.sign]`):
//! an HMAC-SHA256 (ring's, the implementation rustls already links) under a key the check's
//! `env` gives the container, written into one header.

use std::collections::BTreeMap;

use workbook::spec::{SignAlgorithm, Signature};

/// The header `sign` asks for over `body`, keyed by `env[sign.key_env]` (the spec's validation
/// makes sure the check's `env` sets it; a key it lacks signs with an empty key, which the app
/// refuses, so the check fails rather than passes).
pub fn header(sign: &Signature, env: &BTreeMap<String, String>, body: &[u8]) -> (String, String) {
    let key = env.get(&sign.key_env).map(String::as_str).unwrap_or_default();
    header_with_key(sign, key, body)
}

/// The header as signed with another key than the container's (for `forged_status`).
pub fn forged(sign: &Signature, env: &BTreeMap<String, String>, body: &[u8]) -> (String, String) {
    let key = env.get(&sign.key_env).map(String::as_str).unwrap_or_default();
    header_with_key(sign, &format!("{key}-forged"), body)
}

fn header_with_key(sign: &Signature, key: &str, body: &[u8]) -> (String, String) {
    let mac = match sign.algorithm {
        SignAlgorithm::HmacSha256 => {
            ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes()), body)
        }
    };
    let hex: String = mac.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    (sign.header.clone(), format!("{}{hex}", sign.prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(prefix: &str) -> Signature {
        Signature {
            algorithm: SignAlgorithm::HmacSha256,
            header: "X-Signature".into(),
            prefix: prefix.into(),
            key_env: "KEY".into(),
            forged_status: None,
        }
    }

    #[test]
    fn signs_as_rfc_4231_and_node_do() {
        // RFC 4231, test case 2.
        let env = BTreeMap::from([("KEY".to_string(), "Jefe".to_string())]);
        assert_eq!(
            header(&sign(""), &env, b"what do ya want for nothing?"),
            ("X-Signature".to_string(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843".to_string())
        );
        // ex7's app: `sha256=` + createHmac('sha256', 'smoke-test-secret').update('{"type":"ping"}').digest('hex'),
        // printed by node (v20.20.2).
        let env = BTreeMap::from([("KEY".to_string(), "smoke-test-secret".to_string())]);
        let (_, value) = header(&sign("sha256="), &env, br#"{"type":"ping"}"#);
        assert_eq!(value, "sha256=c329579eb4dd1a3ede059529036847315b13342b11ecfc013053ce5405d6f88f");
        let (_, other) = forged(&sign("sha256="), &env, br#"{"type":"ping"}"#);
        assert!(other.starts_with("sha256=") && other != value && other.len() == value.len());
    }
}
