//! RFC 3161 timestamp tokens: the TSA's signature (checked like any CMS signer) and the
//! message imprint against the data the token covers.
//!
//! ```text
//! TSTInfo ::= SEQUENCE {
//!     version        INTEGER { v1(1) },
//!     policy         TSAPolicyId,
//!     messageImprint MessageImprint,      -- SEQUENCE { hashAlgorithm, hashedMessage }
//!     serialNumber   INTEGER,
//!     genTime        GeneralizedTime,
//!     ... }                                -- RFC 3161 2.4.2
//! ```

use std::sync::Arc;

use time::OffsetDateTime;

use crate::armor::unarmor;
use crate::attrs::decode_time;
use crate::ber::{universal, Tlv};
use crate::cert::CertificateInfo;
use crate::cms::{locate_signed_data, AlgorithmIdentifier, SignedData};
use crate::crypto::DigestAlgorithm;
use crate::signer::{check_signer, Signed, SignerFacts};
use crate::{oids, Error};

/// The message imprint check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImprintOutcome {
    /// The imprint equals the digest of the covered data.
    Match,
    /// The imprint differs: the covered data is not what was timestamped.
    Mismatch,
    /// The covered data is not known (a bare `.tst` file).
    NotChecked,
    /// Unknown hash algorithm.
    Unsupported(String),
}

/// All facts about one timestamp token.
#[derive(Debug, Clone)]
pub struct TimestampFacts {
    /// Why the token could not be decoded, if it could not.
    pub format_problem: Option<String>,
    /// The TSA signer's facts (certificate, signature value, ...).
    pub signer: Option<SignerFacts>,
    /// The time the TSA asserts.
    pub gen_time: Option<OffsetDateTime>,
    /// The imprint check.
    pub imprint: ImprintOutcome,
    /// ATSv3: validation data its ATSHashIndex lists that the envelope no longer holds as
    /// it was (`None` for other timestamps, or when all is present).
    pub index_problem: Option<crate::archive::IndexProblem>,
}

struct TstInfo {
    algorithm: String,
    imprint: Vec<u8>,
    gen_time: OffsetDateTime,
}

fn decode_tst_info(bytes: &[u8]) -> Result<TstInfo, Error> {
    let tlv = Tlv::parse_exact(bytes)?;
    let mut r = tlv.children()?;
    r.read_universal(universal::INTEGER, "TSTInfo without version")?;
    r.read_universal(universal::OID, "TSTInfo without policy")?;
    let mi = r.read_universal(universal::SEQUENCE, "TSTInfo without message imprint")?;
    let mut mr = mi.children()?;
    let algorithm =
        AlgorithmIdentifier::decode(&mr.read("message imprint without algorithm")?)?.oid;
    let imprint = mr
        .read_universal(universal::OCTET_STRING, "message imprint without hash")?
        .octets()?
        .into_owned();
    r.read_universal(universal::INTEGER, "TSTInfo without serial number")?;
    let gen_time =
        decode_time(&r.read_universal(universal::GENERALIZED_TIME, "TSTInfo without genTime")?)?;
    Ok(TstInfo {
        algorithm,
        imprint,
        gen_time,
    })
}

/// The token inside a `TimeStampResp` (RFC 3161 2.4.2: `SEQUENCE { status PKIStatusInfo,
/// timeStampToken TimeStampToken OPTIONAL }`), or the bytes unchanged when they are not one.
fn token_of(data: &[u8]) -> &[u8] {
    let Ok((tlv, _)) = Tlv::parse_prefix(data) else {
        return data;
    };
    let Ok(mut r) = tlv.children() else {
        return data;
    };
    match (r.next_tlv(), r.next_tlv()) {
        (Ok(Some(status)), Ok(Some(token)))
            if status.tag.is_universal(universal::SEQUENCE)
                && token.tag.is_universal(universal::SEQUENCE) =>
        {
            token.raw
        }
        _ => data,
    }
}

/// Whether `data` (possibly armoured) is a timestamp token: a SignedData whose content type
/// is TSTInfo.
pub fn is_timestamp_token(data: &[u8]) -> bool {
    let (bytes, _) = unarmor(data);
    match locate_signed_data(token_of(&bytes)) {
        Ok(Some(t)) => {
            SignedData::decode(&t).is_ok_and(|sd| sd.encap.content_type == oids::TST_INFO)
        }
        _ => false,
    }
}

/// The hash algorithm of a timestamp token's message imprint, when known.
pub fn imprint_algorithm(token: &[u8]) -> Option<DigestAlgorithm> {
    let (bytes, _) = unarmor(token);
    let t = locate_signed_data(token_of(&bytes)).ok()??;
    let sd = SignedData::decode(&t).ok()?;
    let info = decode_tst_info(sd.encap.content.as_deref()?).ok()?;
    DigestAlgorithm::from_oid(&info.algorithm)
}

/// Checks a timestamp token against the data it should cover (`None`: not known).
pub fn check_timestamp(
    token: &[u8],
    covered: Option<&[u8]>,
    supplied: &[Arc<CertificateInfo>],
) -> TimestampFacts {
    check_timestamp_inner(token, covered.map(Covered::Data), supplied)
}

/// Checks a timestamp token against the digest of the data it covers, computed by the
/// caller with the algorithm [`imprint_algorithm`] names (a PDF document timestamp over
/// its byte ranges).
pub fn check_timestamp_digest(
    token: &[u8],
    digest: (DigestAlgorithm, &[u8]),
    supplied: &[Arc<CertificateInfo>],
) -> TimestampFacts {
    check_timestamp_inner(token, Some(Covered::Digest(digest.0, digest.1)), supplied)
}

#[derive(Clone, Copy)]
enum Covered<'a> {
    Data(&'a [u8]),
    Digest(DigestAlgorithm, &'a [u8]),
}

fn check_timestamp_inner(
    token: &[u8],
    covered: Option<Covered<'_>>,
    supplied: &[Arc<CertificateInfo>],
) -> TimestampFacts {
    let failed = |why: String| TimestampFacts {
        format_problem: Some(why),
        signer: None,
        gen_time: None,
        imprint: ImprintOutcome::NotChecked,
        index_problem: None,
    };
    let (bytes, _) = unarmor(token);
    let sd = match locate_signed_data(token_of(&bytes))
        .and_then(|t| t.map(|t| SignedData::decode(&t)).transpose())
    {
        Ok(Some(sd)) => sd,
        Ok(None) => return failed("the timestamp is not a CMS SignedData".to_owned()),
        Err(e) => return failed(e.to_string()),
    };
    if sd.encap.content_type != oids::TST_INFO {
        return failed("the timestamp does not carry a TSTInfo".to_owned());
    }
    let Some(content) = sd.encap.content.as_deref() else {
        return failed("the timestamp has no TSTInfo content".to_owned());
    };
    let info = match decode_tst_info(content) {
        Ok(i) => i,
        Err(e) => return failed(e.to_string()),
    };
    let embedded: Vec<Arc<CertificateInfo>> = sd
        .certificates
        .iter()
        .filter_map(|c| CertificateInfo::from_bytes(c.raw).ok().map(Arc::new))
        .collect();
    let signer = match sd.signer_infos.first() {
        Some(Ok(si)) => Some(check_signer(
            si,
            Signed::Content {
                bytes: Some(content),
                econtent_type: oids::TST_INFO,
            },
            &embedded,
            supplied,
        )),
        Some(Err(e)) => return failed(e.to_string()),
        None => return failed("the timestamp has no signer".to_owned()),
    };
    let imprint = match (covered, DigestAlgorithm::from_oid(&info.algorithm)) {
        (None, _) => ImprintOutcome::NotChecked,
        (Some(_), None) => ImprintOutcome::Unsupported(info.algorithm.clone()),
        (Some(Covered::Data(data)), Some(alg)) if alg.digest(data) == info.imprint => {
            ImprintOutcome::Match
        }
        (Some(Covered::Digest(given, d)), Some(alg)) if given == alg && d == info.imprint => {
            ImprintOutcome::Match
        }
        (Some(_), Some(_)) => ImprintOutcome::Mismatch,
    };
    TimestampFacts {
        format_problem: None,
        signer,
        gen_time: Some(info.gen_time),
        imprint,
        index_problem: None,
    }
}
