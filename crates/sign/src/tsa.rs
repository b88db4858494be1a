//! RFC 3161 timestamps for CAdES-T and PAdES B-T: the request, and the checks on the
//! response before its token goes into a signature. The network is not here: a
//! [`TimestampSource`] (the front door's HTTP client, or a test's) carries the request.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
//!     reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL,
//!     certReq BOOLEAN DEFAULT FALSE, extensions [0] IMPLICIT Extensions OPTIONAL }
//! TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
//! PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
//!     failInfo PKIFailureInfo OPTIONAL }
//! ```

use lavoro_agile_cades::ber::{universal, Tlv};
use lavoro_agile_cades::crypto::DigestAlgorithm;
use lavoro_agile_cades::timestamp::{check_timestamp_digest, ImprintOutcome};

use crate::{der, Error};

/// Largest response accepted from a timestamp authority.
pub const MAX_RESPONSE: usize = 1024 * 1024;

/// Sends a DER `TimeStampReq` to a timestamp authority and returns its DER
/// `TimeStampResp` (for HTTP: RFC 3161 section 3.4, `application/timestamp-query`).
pub trait TimestampSource {
    /// One request, one response.
    fn send(&self, request: &[u8]) -> Result<Vec<u8>, Error>;
}

/// The request for a SHA-256 `digest`, with certReq set (the TSA's certificate in the
/// token lets a verifier check it offline). `nonce` ties the response to this request.
pub fn request(digest: &[u8], nonce: &[u8]) -> Result<Vec<u8>, Error> {
    let imprint = der::sequence(&[
        &der::algorithm(crate::cms::SHA256)?,
        &der::octet_string(digest),
    ]);
    Ok(der::sequence(&[
        &der::small_integer(1),
        &imprint,
        &der::unsigned_integer(nonce),
        &[0x01, 0x01, 0xff],
    ]))
}

fn bad(what: &str) -> Error {
    Error::Timestamp(what.to_owned())
}

/// The token in a response, after checking the status (granted or granted with
/// modifications) and that the token's imprint is `digest`.
pub fn token_from_response(response: &[u8], digest: &[u8]) -> Result<Vec<u8>, Error> {
    if response.len() > MAX_RESPONSE {
        return Err(bad("response too large"));
    }
    let resp = Tlv::parse_exact(response).map_err(|_| bad("response is not DER"))?;
    let mut r = resp
        .children()
        .map_err(|_| bad("response is not a SEQUENCE"))?;
    let status = r
        .read_universal(universal::SEQUENCE, "no status")
        .map_err(|_| bad("response without status"))?;
    let code = status
        .children()
        .and_then(|mut s| s.read_universal(universal::INTEGER, "no status code"))
        .map_err(|_| bad("response without status code"))?;
    match code.content {
        [0] | [1] => {}
        _ => return Err(bad("the timestamp authority refused the request")),
    }
    let token = r
        .read_universal(universal::SEQUENCE, "no token")
        .map_err(|_| bad("response without token"))?;
    let facts = check_timestamp_digest(token.raw, (DigestAlgorithm::Sha256, digest), &[]);
    if let Some(problem) = facts.format_problem {
        return Err(Error::Timestamp(problem));
    }
    if facts.imprint != ImprintOutcome::Match {
        return Err(bad("the token does not cover this signature"));
    }
    Ok(token.raw.to_vec())
}

/// A token over `digest` from `source`.
pub fn timestamp(digest: &[u8], source: &dyn TimestampSource) -> Result<Vec<u8>, Error> {
    use sha2::Digest;
    // Not secret, only unique enough to match the response to this request.
    let nonce = sha2::Sha256::digest([digest, b"lavoro-agile-nonce"].concat());
    let req = request(digest, nonce.get(..8).unwrap_or(&[1]))?;
    let resp = source.send(&req)?;
    token_from_response(&resp, digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_from_response_rejection_is_timestamp_error() {
        // status 2 (rejection)
        let resp = der::sequence(&[&der::sequence(&[&der::small_integer(2)])]);
        assert!(matches!(
            token_from_response(&resp, &[0; 32]),
            Err(Error::Timestamp(_))
        ));
        assert!(token_from_response(b"garbage", &[0; 32]).is_err());
    }
}
