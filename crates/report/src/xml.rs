//! The ETSI TS 119 102-2 (v1.4.1) signature validation report, in XML.
//!
//! One `SignatureValidationReport` per signature of every file, in report order, with:
//! the signature's identifier within its file (`DAIdentifier`), the validation policy (id
//! and SHA-256) and one `ValidationConstraint` per check, the validation time and best
//! signature time, the signed file (by SHA-256), signing time and timestamps, the signer's
//! certificate (by SHA-256), the basic validation process of ETSI EN 319 102-1, and the
//! status with the standard's URNs (`urn:etsi:019102:mainindication:…`,
//! `urn:etsi:019102:subindication:…`). Certificates, files and timestamps are validation
//! objects; a timestamp's object carries its own validation report.
//!
//! A file in which nothing could be checked (the `error` of the JSON) still gets a report,
//! so that it is not silently missing: `indeterminate` without sub-indication, the error
//! code in `OtherInformation`. Warnings and the tool also go to `OtherInformation`, in the
//! namespace [`NS_LA`] (processed laxly by validators).

use std::fmt::Write as _;

use base64::Engine as _;
use lavoro_agile_verify::report::{
    Check, FileReport, Indication, Outcome, Report, SignatureReport, SubIndication, TimestampReport,
};

use crate::header::Header;

/// The report's namespace (TS 119 102-2 v1.4.1).
pub const NS_VR: &str = "http://uri.etsi.org/19102/v1.4.1#";
/// XML Signature.
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XAdES 1.3.2 (for `SignaturePolicyIdentifier` and `DigestAlgAndValue`).
pub const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// Our own additions inside `OtherInformation`.
pub const NS_LA: &str = "urn:lavoro-agile:report:1";

const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// The standard's URN for a main indication.
pub fn main_indication_urn(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "urn:etsi:019102:mainindication:total-passed",
        Indication::TotalFailed => "urn:etsi:019102:mainindication:total-failed",
        Indication::Indeterminate => "urn:etsi:019102:mainindication:indeterminate",
    }
}

/// The standard's URN for a sub-indication (`urn:etsi:019102:subindication:` followed by the
/// EN 319 102-1 name).
pub fn sub_indication_urn(s: SubIndication) -> String {
    format!("urn:etsi:019102:subindication:{}", s.as_str())
}

/// Prefix of the `SignatureQualityInformation` URIs: the qualified status from the trusted
/// lists (`urn:lavoro-agile:signature-qualification:QES`, ...).
pub const QUALIFICATION_URN: &str = "urn:lavoro-agile:signature-qualification:";

/// The URN of a building block's own status (TS 119 102-2 uses passed / failed /
/// indeterminate for individual constraints).
fn constraint_indication_urn(o: Outcome) -> Option<&'static str> {
    match o {
        Outcome::Passed => Some("urn:etsi:019102:mainindication:passed"),
        Outcome::Failed => Some("urn:etsi:019102:mainindication:failed"),
        Outcome::Indeterminate => Some("urn:etsi:019102:mainindication:indeterminate"),
        Outcome::Skipped => None,
    }
}

/// Escapes text and attribute values. Characters XML 1.0 forbids are replaced by U+FFFD.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Base64 of a hex digest, or None when the hex is malformed.
fn hex_to_b64(hex_digest: &str) -> Option<String> {
    hex::decode(hex_digest)
        .ok()
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
}

fn digest_alg_and_value(out: &mut String, indent: &str, element: &str, b64: &str) {
    let _ = writeln!(out, "{indent}<{element}>");
    let _ = writeln!(
        out,
        "{indent}  <ds:DigestMethod Algorithm=\"{SHA256_URI}\"/>"
    );
    let _ = writeln!(out, "{indent}  <ds:DigestValue>{b64}</ds:DigestValue>");
    let _ = writeln!(out, "{indent}</{element}>");
}

struct Ids {
    file: String,
}

impl Ids {
    fn new(file_index: usize) -> Self {
        Self {
            file: format!("F{}", file_index + 1),
        }
    }
    fn sig(&self, id: &str) -> String {
        format!("{}-{id}", self.file)
    }
    fn cert(&self, id: &str) -> String {
        format!("{}-{id}-cert", self.file)
    }
    fn ts(&self, id: &str) -> String {
        format!("{}-{id}", self.file)
    }
}

fn constraints(out: &mut String, indent: &str, header: &Header, checks: &[Check]) {
    let _ = writeln!(out, "{indent}<vr:ValidationConstraintsEvaluationReport>");
    let i2 = format!("{indent}  ");
    let i3 = format!("{indent}    ");
    let _ = writeln!(out, "{i2}<vr:SignatureValidationPolicy>");
    let _ = writeln!(out, "{i3}<vr:SignaturePolicyIdentifier>");
    let _ = writeln!(out, "{i3}  <XAdES:SignaturePolicyId>");
    let _ = writeln!(
        out,
        "{i3}    <XAdES:SigPolicyId><XAdES:Identifier>{}</XAdES:Identifier></XAdES:SigPolicyId>",
        esc(&header.policy.id)
    );
    if let Some(b64) = hex_to_b64(&header.policy.sha256) {
        digest_alg_and_value(out, &format!("{i3}    "), "XAdES:SigPolicyHash", &b64);
    }
    let _ = writeln!(out, "{i3}  </XAdES:SignaturePolicyId>");
    let _ = writeln!(out, "{i3}</vr:SignaturePolicyIdentifier>");
    let _ = writeln!(out, "{i2}</vr:SignatureValidationPolicy>");
    for c in checks {
        let _ = writeln!(out, "{i2}<vr:ValidationConstraint>");
        let _ = writeln!(
            out,
            "{i3}<vr:ValidationConstraintIdentifier>urn:lavoro-agile:check:{}</vr:ValidationConstraintIdentifier>",
            esc(c.name)
        );
        let status = if c.outcome == Outcome::Skipped {
            "disabled"
        } else {
            "applied"
        };
        let _ = writeln!(
            out,
            "{i3}<vr:ConstraintStatus><vr:Status>urn:etsi:019102:constraintStatus:{status}</vr:Status></vr:ConstraintStatus>"
        );
        if let Some(main) = constraint_indication_urn(c.outcome) {
            let _ = writeln!(out, "{i3}<vr:ValidationStatus>");
            let _ = writeln!(out, "{i3}  <vr:MainIndication>{main}</vr:MainIndication>");
            if let Some(sub) = c.subindication {
                let _ = writeln!(
                    out,
                    "{i3}  <vr:SubIndication>{}</vr:SubIndication>",
                    sub_indication_urn(sub)
                );
            }
            let _ = writeln!(out, "{i3}</vr:ValidationStatus>");
        }
        let _ = writeln!(out, "{i2}</vr:ValidationConstraint>");
    }
    let _ = writeln!(out, "{indent}</vr:ValidationConstraintsEvaluationReport>");
}

fn status(out: &mut String, indent: &str, i: Indication, sub: Option<SubIndication>) {
    let _ = writeln!(out, "{indent}<vr:SignatureValidationStatus>");
    let _ = writeln!(
        out,
        "{indent}  <vr:MainIndication>{}</vr:MainIndication>",
        main_indication_urn(i)
    );
    if let Some(s) = sub {
        let _ = writeln!(
            out,
            "{indent}  <vr:SubIndication>{}</vr:SubIndication>",
            sub_indication_urn(s)
        );
    }
    let _ = writeln!(out, "{indent}</vr:SignatureValidationStatus>");
}

fn attribute_element(kind: &str) -> Option<&'static str> {
    match kind {
        "signature" => Some("SignatureTimeStamp"),
        "content" => Some("AllDataObjectsTimeStamp"),
        "archive" => Some("ArchiveTimeStamp"),
        _ => None,
    }
}

fn signature_report(
    out: &mut String,
    header: &Header,
    report: &Report,
    file: &FileReport,
    ids: &Ids,
    s: &SignatureReport,
) {
    let i1 = "  ";
    let i2 = "    ";
    let _ = writeln!(out, "{i1}<vr:SignatureValidationReport>");
    let _ = writeln!(
        out,
        "{i2}<vr:SignatureIdentifier id=\"{}\">",
        ids.sig(&s.id)
    );
    let _ = writeln!(out, "{i2}  <vr:HashOnly>false</vr:HashOnly>");
    let _ = writeln!(out, "{i2}  <vr:DocHashOnly>false</vr:DocHashOnly>");
    let _ = writeln!(
        out,
        "{i2}  <vr:DAIdentifier>{}</vr:DAIdentifier>",
        esc(&s.id)
    );
    let _ = writeln!(out, "{i2}</vr:SignatureIdentifier>");
    constraints(out, i2, header, &s.checks);

    // Best signature time: the earliest passing timestamp over this signature, else the
    // validation time itself.
    let best = file
        .timestamps
        .iter()
        .filter(|t| {
            t.indication == Indication::TotalPassed
                && t.covers.contains(&s.id)
                && t.kind == "signature"
        })
        .filter_map(|t| t.gen_time.map(|g| (g.0, t)))
        .min_by_key(|(g, _)| *g);
    let _ = writeln!(out, "{i2}<vr:ValidationTimeInfo>");
    let _ = writeln!(
        out,
        "{i2}  <vr:ValidationTime>{}</vr:ValidationTime>",
        s.validation_time.time.to_rfc3339()
    );
    let _ = writeln!(out, "{i2}  <vr:BestSignatureTime>");
    match best {
        Some((_, t)) => {
            let _ = writeln!(
                out,
                "{i2}    <vr:POETime>{}</vr:POETime>",
                t.gen_time.map(|g| g.to_rfc3339()).unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "{i2}    <vr:TypeOfProof>urn:etsi:019102:poetype:validation</vr:TypeOfProof>"
            );
            let _ = writeln!(
                out,
                "{i2}    <vr:POEObject VOReference=\"{}\"/>",
                ids.ts(&t.id)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "{i2}    <vr:POETime>{}</vr:POETime>",
                s.validation_time.time.to_rfc3339()
            );
            let _ = writeln!(
                out,
                "{i2}    <vr:TypeOfProof>urn:etsi:019102:poetype:validation</vr:TypeOfProof>"
            );
        }
    }
    let _ = writeln!(out, "{i2}  </vr:BestSignatureTime>");
    let _ = writeln!(out, "{i2}</vr:ValidationTimeInfo>");
    if file.sha256.is_some() {
        let _ = writeln!(
            out,
            "{i2}<vr:SignersDocument><vr:SignersDocumentRepresentation VOReference=\"{}\"/></vr:SignersDocument>",
            ids.file
        );
    }

    let mut attrs = String::new();
    if let Some(t) = &s.signing_time {
        let _ = writeln!(
            attrs,
            "{i2}  <vr:SigningTime Signed=\"true\"><vr:Time>{}</vr:Time></vr:SigningTime>",
            t.to_rfc3339()
        );
    }
    for t in file.timestamps.iter().filter(|t| t.covers.contains(&s.id)) {
        if let (Some(el), Some(g)) = (attribute_element(t.kind), t.gen_time) {
            let signed = if t.kind == "content" { "true" } else { "false" };
            let _ = writeln!(
                attrs,
                "{i2}  <vr:{el} Signed=\"{signed}\"><vr:AttributeObject VOReference=\"{}\"/><vr:TimeStampValue>{}</vr:TimeStampValue></vr:{el}>",
                ids.ts(&t.id),
                g.to_rfc3339()
            );
        }
    }
    if !attrs.is_empty() {
        let _ = writeln!(out, "{i2}<vr:SignatureAttributes>");
        out.push_str(&attrs);
        let _ = writeln!(out, "{i2}</vr:SignatureAttributes>");
    }
    if let Some(signer) = &s.signer {
        if signer.certificate_sha256.is_some() {
            let _ = writeln!(out, "{i2}<vr:SignerInformation>");
            let _ = writeln!(
                out,
                "{i2}  <vr:SignerCertificate VOReference=\"{}\"/>",
                ids.cert(&s.id)
            );
            let name = signer.common_name.clone().or_else(|| {
                match (&signer.given_name, &signer.surname) {
                    (Some(g), Some(f)) => Some(format!("{g} {f}")),
                    _ => None,
                }
            });
            if let Some(n) = name {
                let _ = writeln!(out, "{i2}  <vr:Signer>{}</vr:Signer>", esc(&n));
            }
            let _ = writeln!(out, "{i2}</vr:SignerInformation>");
        }
    }
    if let Some(q) = &s.qualification {
        // TS 119 102-2 leaves the quality URIs open: ours name the level of TS 119 615's
        // vocabulary (QES, QESeal, AdES_QC, AdESeal_QC, NOT_QUALIFIED, NOT_DETERMINED).
        let _ = writeln!(out, "{i2}<vr:SignatureQuality>");
        let _ = writeln!(
            out,
            "{i2}  <vr:SignatureQualityInformation>{QUALIFICATION_URN}{}</vr:SignatureQualityInformation>",
            esc(q.level)
        );
        let _ = writeln!(out, "{i2}</vr:SignatureQuality>");
    }
    let _ = writeln!(out, "{i2}<vr:SignatureValidationProcess>");
    let _ = writeln!(
        out,
        "{i2}  <vr:SignatureValidationProcessID>urn:etsi:019102:validationprocess:Basic</vr:SignatureValidationProcessID>"
    );
    let _ = writeln!(out, "{i2}</vr:SignatureValidationProcess>");
    status(out, i2, s.indication, s.subindication);
    let _ = writeln!(out, "{i2}<vr:OtherInformation>");
    let _ = writeln!(
        out,
        "{i2}  <la:Tool name=\"{}\" version=\"{}\"/>",
        esc(&report.tool.name),
        esc(&report.tool.version)
    );
    let _ = writeln!(out, "{i2}  <la:File path=\"{}\"/>", esc(&file.path));
    for w in &s.warnings {
        let _ = writeln!(
            out,
            "{i2}  <la:Warning code=\"{}\">{}</la:Warning>",
            esc(w.code),
            esc(&w.message.en)
        );
    }
    let _ = writeln!(out, "{i2}</vr:OtherInformation>");
    let _ = writeln!(out, "{i1}</vr:SignatureValidationReport>");
}

fn error_report(out: &mut String, report: &Report, file: &FileReport, ids: &Ids, code: &str) {
    let i1 = "  ";
    let i2 = "    ";
    let _ = writeln!(out, "{i1}<vr:SignatureValidationReport>");
    let _ = writeln!(out, "{i2}<vr:SignatureIdentifier id=\"{}-none\">", ids.file);
    let _ = writeln!(out, "{i2}  <vr:HashOnly>false</vr:HashOnly>");
    let _ = writeln!(out, "{i2}  <vr:DocHashOnly>false</vr:DocHashOnly>");
    let _ = writeln!(out, "{i2}</vr:SignatureIdentifier>");
    if file.sha256.is_some() {
        let _ = writeln!(
            out,
            "{i2}<vr:SignersDocument><vr:SignersDocumentRepresentation VOReference=\"{}\"/></vr:SignersDocument>",
            ids.file
        );
    }
    status(out, i2, Indication::Indeterminate, None);
    let _ = writeln!(out, "{i2}<vr:OtherInformation>");
    let _ = writeln!(
        out,
        "{i2}  <la:Tool name=\"{}\" version=\"{}\"/>",
        esc(&report.tool.name),
        esc(&report.tool.version)
    );
    let _ = writeln!(out, "{i2}  <la:File path=\"{}\"/>", esc(&file.path));
    let _ = writeln!(out, "{i2}  <la:Error code=\"{}\"/>", esc(code));
    let _ = writeln!(out, "{i2}</vr:OtherInformation>");
    let _ = writeln!(out, "{i1}</vr:SignatureValidationReport>");
}

fn timestamp_object(out: &mut String, header: &Header, ids: &Ids, t: &TimestampReport) {
    let i2 = "    ";
    let i3 = "      ";
    let _ = writeln!(out, "{i2}<vr:ValidationObject id=\"{}\">", ids.ts(&t.id));
    let _ = writeln!(
        out,
        "{i2}  <vr:ObjectType>urn:etsi:019102:validationObject:timestamp</vr:ObjectType>"
    );
    let _ = writeln!(
        out,
        "{i2}  <vr:ValidationObjectRepresentation><vr:direct>{} {} ({})</vr:direct></vr:ValidationObjectRepresentation>",
        ids.file,
        esc(&t.id),
        esc(t.kind)
    );
    if let (Some(g), Indication::TotalPassed) = (t.gen_time, t.indication) {
        let _ = writeln!(
            out,
            "{i2}  <vr:POE><vr:POETime>{}</vr:POETime><vr:TypeOfProof>urn:etsi:019102:poetype:validation</vr:TypeOfProof></vr:POE>",
            g.to_rfc3339()
        );
    }
    let _ = writeln!(out, "{i2}  <vr:ValidationReport>");
    constraints(out, i3, header, &t.checks);
    if let Some(g) = t.gen_time {
        let _ = writeln!(out, "{i3}<vr:SignatureAttributes>");
        let _ = writeln!(
            out,
            "{i3}  <vr:SigningTime Signed=\"true\"><vr:Time>{}</vr:Time></vr:SigningTime>",
            g.to_rfc3339()
        );
        let _ = writeln!(out, "{i3}</vr:SignatureAttributes>");
    }
    status(out, i3, t.indication, t.subindication);
    let _ = writeln!(out, "{i2}  </vr:ValidationReport>");
    let _ = writeln!(out, "{i2}</vr:ValidationObject>");
}

fn file_objects(out: &mut String, header: &Header, file: &FileReport, ids: &Ids) {
    let i2 = "    ";
    if let Some(b64) = file.sha256.as_deref().and_then(hex_to_b64) {
        let _ = writeln!(out, "{i2}<vr:ValidationObject id=\"{}\">", ids.file);
        let _ = writeln!(
            out,
            "{i2}  <vr:ObjectType>urn:etsi:019102:validationObject:signedData</vr:ObjectType>"
        );
        let _ = writeln!(out, "{i2}  <vr:ValidationObjectRepresentation>");
        digest_alg_and_value(out, "        ", "vr:DigestAlgAndValue", &b64);
        let _ = writeln!(out, "{i2}  </vr:ValidationObjectRepresentation>");
        let _ = writeln!(out, "{i2}</vr:ValidationObject>");
    }
    for s in &file.signatures {
        let Some(b64) = s
            .signer
            .as_ref()
            .and_then(|x| x.certificate_sha256.as_deref())
            .and_then(hex_to_b64)
        else {
            continue;
        };
        let _ = writeln!(out, "{i2}<vr:ValidationObject id=\"{}\">", ids.cert(&s.id));
        let _ = writeln!(
            out,
            "{i2}  <vr:ObjectType>urn:etsi:019102:validationObject:certificate</vr:ObjectType>"
        );
        let _ = writeln!(out, "{i2}  <vr:ValidationObjectRepresentation>");
        digest_alg_and_value(out, "        ", "vr:DigestAlgAndValue", &b64);
        let _ = writeln!(out, "{i2}  </vr:ValidationObjectRepresentation>");
        let _ = writeln!(out, "{i2}</vr:ValidationObject>");
    }
    for t in &file.timestamps {
        timestamp_object(out, header, ids, t);
    }
}

fn error_code(file: &FileReport) -> Option<String> {
    let e = file.error.as_ref()?;
    Some(
        serde_json::to_value(e.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "error".to_owned()),
    )
}

/// The ETSI TS 119 102-2 validation report of every file in `report`.
pub fn render(report: &Report, header: &Header) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<vr:ValidationReport xmlns:vr=\"{NS_VR}\" xmlns:ds=\"{NS_DS}\" xmlns:XAdES=\"{NS_XADES}\" xmlns:la=\"{NS_LA}\">"
    );
    let mut objects = String::new();
    for (i, file) in report.files.iter().enumerate() {
        let ids = Ids::new(i);
        if let Some(code) = error_code(file) {
            error_report(&mut out, report, file, &ids, &code);
        } else if file.signatures.is_empty() {
            // A bare timestamp token: its own report says what was found.
            error_report(&mut out, report, file, &ids, "no_signature");
        }
        for s in &file.signatures {
            signature_report(&mut out, header, report, file, &ids, s);
        }
        file_objects(&mut objects, header, file, &ids);
    }
    if !objects.is_empty() {
        out.push_str("  <vr:SignatureValidationObjects>\n");
        out.push_str(&objects);
        out.push_str("  </vr:SignatureValidationObjects>\n");
    }
    out.push_str("</vr:ValidationReport>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_special_characters_escaped() {
        assert_eq!(esc("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}");
    }

    #[test]
    fn urns_follow_the_standard() {
        assert_eq!(
            main_indication_urn(Indication::TotalPassed),
            "urn:etsi:019102:mainindication:total-passed"
        );
        assert_eq!(
            sub_indication_urn(SubIndication::HashFailure),
            "urn:etsi:019102:subindication:HASH_FAILURE"
        );
    }
}
