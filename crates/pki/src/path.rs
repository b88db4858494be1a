//! Certificate path building and validation at a given time (RFC 5280 6), with revocation
//! from CRLs.
//!
//! From a target certificate the builder looks for issuers by name (and key identifier
//! when both sides carry one) among the trust anchors first, then among the other
//! certificates given, checks each certificate's signature with its issuer's key, and
//! stops at the first trust anchor. Every complete path is then validated at the
//! validation time: validity periods, basic constraints, key usage, path length, critical
//! extensions, revocation. The first path without a failure wins; when every path fails,
//! the first one found is reported with its failure.
//!
//! Trust anchors are taken as given: their own validity period and revocation are not
//! checked (the caller chose to trust them), but their basicConstraints path length, when
//! present, limits the path below them.

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::cert::Certificate;
use crate::crl::{Crl, Entry, Scope};
use crate::{SignatureVerifier, Verification};

/// Limits on the work a path search may do: hostile input ends quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most certificates in a path, target and anchor included.
    pub max_depth: usize,
    /// Most issuer candidates looked at.
    pub max_candidates: usize,
    /// Most signature checks (certificates and CRLs).
    pub max_signature_checks: usize,
    /// Most complete paths validated.
    pub max_paths: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_depth: 8,
            max_candidates: 128,
            max_signature_checks: 64,
            max_paths: 8,
        }
    }
}

/// What path validation is given.
pub struct Context<'a> {
    /// Trust anchors.
    pub anchors: &'a [Arc<Certificate>],
    /// Other certificates that may be intermediates (embedded in the signature, given).
    pub intermediates: &'a [Arc<Certificate>],
    /// CRLs (embedded in the signature, given).
    pub crls: &'a [Arc<Crl>],
    /// The cryptography that checks certificate and CRL signatures.
    pub verifier: &'a dyn SignatureVerifier,
    /// Work limits.
    pub budget: Budget,
}

/// Why the revocation status of a certificate is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// No CRL from the certificate's issuer.
    NoCrl,
    /// CRLs from the issuer exist, but none covers the validation time.
    NotCurrent,
    /// The issuer's CRLs cannot be used (bad signature, unsupported scope, ...).
    Unusable(String),
}

/// The revocation status of one certificate at the validation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// A CRL covering the validation time does not list it as revoked then.
    NotRevoked {
        /// thisUpdate of the CRL that says so.
        crl_this_update: OffsetDateTime,
        /// A revocation after the validation time, if one is listed.
        revoked_later: Option<OffsetDateTime>,
    },
    /// Revoked at or before the validation time.
    Revoked(Entry),
    /// Not known.
    Unknown(Unknown),
}

/// One certificate of a path.
#[derive(Debug, Clone)]
pub struct Link {
    /// The certificate.
    pub certificate: Arc<Certificate>,
    /// Whether it is the trust anchor (the last link).
    pub anchor: bool,
    /// Its revocation status (None for the anchor).
    pub revocation: Option<Revocation>,
}

/// A rule of RFC 5280 or of signature use that a path breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// An issuing certificate is not a CA (basicConstraints cA missing or false).
    NotCa,
    /// An issuing certificate's keyUsage lacks keyCertSign.
    NoCertSign,
    /// More intermediate certificates than a pathLenConstraint allows.
    PathLength,
    /// The target's keyUsage allows neither nonRepudiation nor digitalSignature.
    TargetKeyUsage,
}

/// Why validation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No path from the target to a trust anchor.
    NoChain,
    /// Names chain to an anchor, but a certificate signature does not verify (or uses an
    /// algorithm the verifier does not implement).
    BadSignature {
        /// The certificate whose signature failed.
        subject: String,
        /// What happened.
        detail: String,
    },
    /// A work budget ran out.
    Budget(&'static str),
    /// A certificate carries a critical extension not understood.
    UnknownCriticalExtension {
        /// Position in the path (0 is the target).
        index: usize,
        /// The extension OID.
        oid: String,
    },
    /// The target was revoked at or before the validation time.
    Revoked(Entry),
    /// An intermediate CA certificate was revoked at or before the validation time.
    CaRevoked {
        /// Position in the path.
        index: usize,
        /// The CRL entry.
        entry: Entry,
    },
    /// The validation time is before the target's notBefore.
    NotYetValid,
    /// The validation time is outside a certificate's validity period.
    OutOfBounds {
        /// Position in the path (0 is the target).
        index: usize,
        /// Whether revocation data shows the (expired) target was never revoked before
        /// its expiry.
        not_revoked: bool,
    },
    /// A constraint is broken.
    Constraint {
        /// Position in the path.
        index: usize,
        /// Which rule.
        rule: Constraint,
    },
}

/// The result of validating a target certificate.
#[derive(Debug, Clone)]
pub struct PathResult {
    /// The path, target first, anchor last; empty when none was found.
    pub path: Vec<Link>,
    /// Why it failed, or None when the path is valid at the validation time.
    pub failure: Option<Failure>,
}

struct Search<'c, 'a> {
    ctx: &'c Context<'a>,
    candidates_left: usize,
    checks_left: usize,
    paths: Vec<Vec<Arc<Certificate>>>,
    bad_signature: Option<(String, String)>,
    exhausted: Option<&'static str>,
    crl_checks: HashMap<(usize, Vec<u8>), bool>,
}

fn key_ids_differ(child: &Certificate, issuer: &Certificate) -> bool {
    matches!((child.authority_key_id(), issuer.subject_key_id()), (Some(a), Some(s)) if a != s)
}

impl Search<'_, '_> {
    fn take_check(&mut self) -> bool {
        match self.checks_left.checked_sub(1) {
            Some(n) => {
                self.checks_left = n;
                true
            }
            None => {
                self.exhausted = Some("signature checks");
                false
            }
        }
    }

    fn take_candidate(&mut self) -> bool {
        match self.candidates_left.checked_sub(1) {
            Some(n) => {
                self.candidates_left = n;
                true
            }
            None => {
                self.exhausted = Some("issuer candidates");
                false
            }
        }
    }

    /// Whether `issuer`'s key verifies `child`; when not, why (kept in `failed`, the first
    /// one only).
    fn signed_by(
        &mut self,
        child: &Certificate,
        issuer: &Certificate,
        failed: &mut Option<(String, String)>,
    ) -> bool {
        if !self.take_check() {
            return false;
        }
        match self.ctx.verifier.verify(
            &issuer.public_key(),
            child.signature_algorithm_der(),
            child.tbs(),
            child.signature(),
        ) {
            Verification::Valid => true,
            Verification::Invalid => {
                failed.get_or_insert_with(|| {
                    (
                        child.label(),
                        "the issuer's signature does not verify".to_owned(),
                    )
                });
                false
            }
            Verification::Unsupported(what) => {
                failed.get_or_insert_with(|| (child.label(), format!("unsupported {what}")));
                false
            }
        }
    }

    /// Whether `cert` is signed with its own key (a check counted in the budget, never
    /// recorded as a bad signature).
    fn verifies_itself(&mut self, cert: &Certificate) -> bool {
        self.take_check()
            && self.ctx.verifier.verify(
                &cert.public_key(),
                cert.signature_algorithm_der(),
                cert.tbs(),
                cert.signature(),
            ) == Verification::Valid
    }

    fn extend(&mut self, chain: &mut Vec<Arc<Certificate>>) {
        let Some(current) = chain.last().cloned() else {
            return;
        };
        let budget = self.ctx.budget;
        // A candidate issuer whose key does not verify `current` counts as a bad signature
        // only when no candidate does (several certificates may share a name).
        let mut failed = None;
        let mut verified = false;
        for anchor in self.ctx.anchors {
            if self.paths.len() >= budget.max_paths || self.exhausted.is_some() {
                return;
            }
            if !anchor.is_issuer_of(&current) || key_ids_differ(&current, anchor) {
                continue;
            }
            if !self.take_candidate() {
                return;
            }
            if self.signed_by(&current, anchor, &mut failed) {
                verified = true;
                let mut complete = chain.clone();
                complete.push(Arc::clone(anchor));
                self.paths.push(complete);
            }
        }
        if chain.len() + 1 >= budget.max_depth {
            self.note_failure(verified, failed);
            return;
        }
        // A self-signed certificate that is not an anchor ends the path: any other
        // certificate of the same name tried as its issuer fails its signature check, which
        // would be reported as a bad signature instead of a missing trusted root.
        if current.is_self_issued() && self.verifies_itself(&current) {
            self.note_failure(verified, failed);
            return;
        }
        for next in self.ctx.intermediates {
            if self.paths.len() >= budget.max_paths || self.exhausted.is_some() {
                return;
            }
            if chain.iter().any(|c| c.der() == next.der())
                || self.ctx.anchors.iter().any(|a| a.der() == next.der())
                || !next.is_issuer_of(&current)
                || key_ids_differ(&current, next)
            {
                continue;
            }
            if !self.take_candidate() {
                return;
            }
            if self.signed_by(&current, next, &mut failed) {
                verified = true;
                chain.push(Arc::clone(next));
                self.extend(chain);
                chain.pop();
            }
        }
        self.note_failure(verified, failed);
    }

    fn note_failure(&mut self, verified: bool, failed: Option<(String, String)>) {
        if !verified {
            if let Some(f) = failed {
                self.bad_signature.get_or_insert(f);
            }
        }
    }

    fn crl_signature_ok(&mut self, index: usize, crl: &Crl, issuer: &Certificate) -> bool {
        let key = (index, issuer.public_key().key.to_vec());
        if let Some(ok) = self.crl_checks.get(&key) {
            return *ok;
        }
        if !self.take_check() {
            return false;
        }
        let ok = self.ctx.verifier.verify(
            &issuer.public_key(),
            crl.signature_algorithm_der(),
            crl.tbs(),
            crl.signature(),
        ) == Verification::Valid;
        self.crl_checks.insert(key, ok);
        ok
    }

    /// The revocation status of `cert` (issued by `issuer`) at time `t`.
    fn revocation(
        &mut self,
        cert: &Certificate,
        issuer: &Certificate,
        t: OffsetDateTime,
    ) -> Revocation {
        let is_ca = cert.basic_constraints().is_some_and(|(ca, _)| ca);
        let mut seen = false;
        let mut unusable: Option<String> = None;
        let mut revoked: Option<Entry> = None;
        let mut good: Option<(OffsetDateTime, Option<OffsetDateTime>)> = None;
        for (i, crl) in self.ctx.crls.iter().enumerate() {
            if !crl.issued_by_name(cert.issuer()) {
                continue;
            }
            seen = true;
            match crl.scope() {
                Scope::Unsupported => {
                    unusable.get_or_insert_with(|| "partial or indirect CRL".to_owned());
                    continue;
                }
                Scope::UserCertificates if is_ca => continue,
                Scope::CaCertificates if !is_ca => continue,
                _ => {}
            }
            if !issuer.may_sign_crls() {
                unusable.get_or_insert_with(|| "the issuer may not sign CRLs".to_owned());
                continue;
            }
            if !self.crl_signature_ok(i, crl, issuer) {
                unusable.get_or_insert_with(|| "the CRL signature does not verify".to_owned());
                continue;
            }
            let entry = crl.entry(cert.serial());
            if let Some(e) = entry {
                if e.revocation_date <= t {
                    if revoked
                        .as_ref()
                        .is_none_or(|r| e.revocation_date < r.revocation_date)
                    {
                        revoked = Some(e.clone());
                    }
                    continue;
                }
            }
            // A CRL speaks for the validation time when its window holds it, or when it
            // was issued later but while the certificate was still valid (a CA lists a
            // revoked certificate until it expires).
            let window = crl.this_update() <= t && crl.next_update().is_none_or(|n| t <= n);
            let later = t < crl.this_update() && crl.this_update() <= cert.not_after();
            if window || later {
                let later_revocation = entry.map(|e| e.revocation_date);
                if good.is_none_or(|(tu, _)| crl.this_update() > tu) {
                    good = Some((crl.this_update(), later_revocation));
                }
            }
        }
        if let Some(e) = revoked {
            return Revocation::Revoked(e);
        }
        if let Some((crl_this_update, revoked_later)) = good {
            return Revocation::NotRevoked {
                crl_this_update,
                revoked_later,
            };
        }
        Revocation::Unknown(match (seen, unusable) {
            (false, _) => Unknown::NoCrl,
            (true, Some(why)) => Unknown::Unusable(why),
            (true, None) => Unknown::NotCurrent,
        })
    }

    fn evaluate(&mut self, chain: &[Arc<Certificate>], t: OffsetDateTime) -> PathResult {
        let n = chain.len();
        let mut links: Vec<Link> = Vec::with_capacity(n);
        let mut constraint: Option<Failure> = None;
        let mut general: Option<Failure> = None;
        let mut out_of_bounds: Option<Failure> = None;
        let mut not_yet_valid = false;
        let mut revoked: Option<Failure> = None;
        let mut ca_revoked: Option<Failure> = None;
        for (index, cert) in chain.iter().enumerate() {
            let anchor = index + 1 == n;
            if anchor {
                // pathLenConstraint of the anchor over the intermediates below it.
                if let Some((_, Some(max))) = cert.basic_constraints() {
                    let below = chain
                        .iter()
                        .take(index)
                        .skip(1)
                        .filter(|c| !c.is_self_issued())
                        .count();
                    if below > usize::from(max) && index > 0 {
                        constraint.get_or_insert(Failure::Constraint {
                            index,
                            rule: Constraint::PathLength,
                        });
                    }
                }
                links.push(Link {
                    certificate: Arc::clone(cert),
                    anchor: true,
                    revocation: None,
                });
                continue;
            }
            if let Some(oid) = cert.unknown_critical_extensions().first() {
                general.get_or_insert(Failure::UnknownCriticalExtension {
                    index,
                    oid: oid.clone(),
                });
            }
            if index == 0 {
                if !cert.may_sign_documents() {
                    constraint.get_or_insert(Failure::Constraint {
                        index,
                        rule: Constraint::TargetKeyUsage,
                    });
                }
            } else {
                let rule = match cert.basic_constraints() {
                    Some((true, max)) => {
                        let below = chain
                            .iter()
                            .take(index)
                            .skip(1)
                            .filter(|c| !c.is_self_issued())
                            .count();
                        if !cert.may_sign_certificates() {
                            Some(Constraint::NoCertSign)
                        } else if max.is_some_and(|m| below > usize::from(m)) {
                            Some(Constraint::PathLength)
                        } else {
                            None
                        }
                    }
                    _ => Some(Constraint::NotCa),
                };
                if let Some(rule) = rule {
                    constraint.get_or_insert(Failure::Constraint { index, rule });
                }
            }
            let issuer = chain.get(index + 1).cloned();
            let status = issuer.as_ref().map(|i| self.revocation(cert, i, t));
            if let Some(Revocation::Revoked(e)) = &status {
                if index == 0 {
                    revoked = Some(Failure::Revoked(e.clone()));
                } else {
                    ca_revoked.get_or_insert(Failure::CaRevoked {
                        index,
                        entry: e.clone(),
                    });
                }
            }
            if t < cert.not_before() && index == 0 {
                not_yet_valid = true;
            } else if t < cert.not_before() || t > cert.not_after() {
                let not_revoked = index == 0
                    && t > cert.not_after()
                    && issuer.as_ref().is_some_and(|i| {
                        matches!(
                            self.revocation(cert, i, cert.not_after()),
                            Revocation::NotRevoked { .. }
                        )
                    });
                out_of_bounds.get_or_insert(Failure::OutOfBounds { index, not_revoked });
            }
            links.push(Link {
                certificate: Arc::clone(cert),
                anchor: false,
                revocation: status,
            });
        }
        let failure = revoked
            .or(ca_revoked)
            .or(not_yet_valid.then_some(Failure::NotYetValid))
            .or(out_of_bounds)
            .or(constraint)
            .or(general);
        PathResult {
            path: links,
            failure,
        }
    }
}

/// Builds and validates a path from `target` to a trust anchor at time `t`.
///
/// The target must allow document signatures (keyUsage nonRepudiation or digitalSignature,
/// or no keyUsage): it is a signer's or a TSA's certificate.
pub fn validate(target: &Arc<Certificate>, t: OffsetDateTime, ctx: &Context<'_>) -> PathResult {
    let mut search = Search {
        ctx,
        candidates_left: ctx.budget.max_candidates,
        checks_left: ctx.budget.max_signature_checks,
        paths: Vec::new(),
        bad_signature: None,
        exhausted: None,
        crl_checks: HashMap::new(),
    };
    if ctx.anchors.iter().any(|a| a.der() == target.der()) {
        // The target is itself trusted: a path of one, nothing to check about it.
        return PathResult {
            path: vec![Link {
                certificate: Arc::clone(target),
                anchor: true,
                revocation: None,
            }],
            failure: None,
        };
    }
    let mut chain = vec![Arc::clone(target)];
    search.extend(&mut chain);
    let paths = std::mem::take(&mut search.paths);
    let mut first: Option<PathResult> = None;
    for p in &paths {
        let r = search.evaluate(p, t);
        if r.failure.is_none() {
            return r;
        }
        first.get_or_insert(r);
    }
    if let Some(r) = first {
        return r;
    }
    let failure = if let Some(what) = search.exhausted {
        Failure::Budget(what)
    } else if let Some((subject, detail)) = search.bad_signature {
        Failure::BadSignature { subject, detail }
    } else {
        Failure::NoChain
    };
    PathResult {
        path: Vec::new(),
        failure: Some(failure),
    }
}
