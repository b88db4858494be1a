//! The algorithm policy: which digest algorithms and keys are accepted until when
//! (ETSI TS 119 312), read from a reviewable data file (`policy/algorithms.toml`).
//!
//! Algorithms are judged at the best proof of existence of what they protect: a signature
//! made with SHA-1 is fine when it provably existed before SHA-1's end date, and not
//! otherwise.

use serde::Deserialize;
use time::{Date, OffsetDateTime};

use crate::cert::{curve_name, KeyDescription};
use crate::Error;

/// The policy shipped with the application.
pub const DEFAULT_POLICY: &str = include_str!("../policy/algorithms.toml");

#[derive(Debug, Clone, Deserialize)]
struct DigestRule {
    name: String,
    #[serde(default)]
    oids: Vec<String>,
    #[serde(default)]
    never: bool,
    until: Option<String>,
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
struct KeyRule {
    kind: String,
    min_bits: Option<u32>,
    #[serde(default)]
    curves: Vec<String>,
    #[serde(default)]
    never: bool,
    until: Option<String>,
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
struct ExceptionRule {
    algorithm: String,
    until: String,
    scope: String,
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
struct PolicyFile {
    reviewed: String,
    #[serde(default)]
    digest: Vec<DigestRule>,
    #[serde(default)]
    key: Vec<KeyRule>,
    #[serde(default)]
    exception: Vec<ExceptionRule>,
}

/// Where an exception applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Signatures whose signing certificate is an Italian qualified one (see
    /// [`crate::Certificate::italian_qualified_hint`]).
    ItalianQualified,
}

/// The context of a judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Situation {
    /// The signing certificate is an Italian qualified certificate.
    pub italian_qualified: bool,
}

/// The verdict of the policy on one algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Accepted at the time asked.
    Acceptable,
    /// Accepted only until `until` (last day), which is before the time asked.
    Expired {
        /// The algorithm.
        algorithm: String,
        /// Its last accepted day.
        until: Date,
    },
    /// Never accepted.
    Never(String),
    /// Not in the policy: refused.
    Unknown(String),
}

#[derive(Debug, Clone)]
struct Rule {
    never: bool,
    until: Option<Date>,
}

/// A loaded algorithm policy.
#[derive(Debug, Clone)]
pub struct AlgorithmPolicy {
    reviewed: String,
    digests: Vec<(DigestRule, Rule)>,
    keys: Vec<(KeyRule, Rule)>,
    exceptions: Vec<(ExceptionRule, Date, Scope)>,
}

fn parse_date(s: &str) -> Result<Date, Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &format).map_err(|_| Error::Policy(format!("bad date {s}")))
}

fn rule(never: bool, until: Option<&String>) -> Result<Rule, Error> {
    Ok(Rule {
        never,
        until: until.map(|u| parse_date(u)).transpose()?,
    })
}

impl AlgorithmPolicy {
    /// The policy shipped with the application ([`DEFAULT_POLICY`]).
    pub fn etsi_default() -> Result<Self, Error> {
        Self::from_toml(DEFAULT_POLICY)
    }

    /// Reads a policy file.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| Error::Policy(e.to_string()))?;
        let mut digests = Vec::new();
        for d in file.digest {
            if d.source.trim().is_empty() {
                return Err(Error::Policy(format!("{} has no source", d.name)));
            }
            let r = rule(d.never, d.until.as_ref())?;
            digests.push((d, r));
        }
        let mut keys = Vec::new();
        for k in file.key {
            if k.source.trim().is_empty() {
                return Err(Error::Policy(format!("{} key has no source", k.kind)));
            }
            let r = rule(k.never, k.until.as_ref())?;
            keys.push((k, r));
        }
        let mut exceptions = Vec::new();
        for e in file.exception {
            let scope = match e.scope.as_str() {
                "italian-qualified" => Scope::ItalianQualified,
                other => return Err(Error::Policy(format!("unknown exception scope {other}"))),
            };
            if e.source.trim().is_empty() {
                return Err(Error::Policy(format!(
                    "exception for {} has no source",
                    e.algorithm
                )));
            }
            let until = parse_date(&e.until)?;
            exceptions.push((e, until, scope));
        }
        Ok(Self {
            reviewed: file.reviewed,
            digests,
            keys,
            exceptions,
        })
    }

    /// When the policy file was last reviewed.
    pub fn reviewed(&self) -> &str {
        &self.reviewed
    }

    fn judge_rule(
        &self,
        name: &str,
        r: &Rule,
        at: OffsetDateTime,
        situation: Situation,
    ) -> Judgement {
        if r.never {
            return Judgement::Never(name.to_owned());
        }
        let Some(mut until) = r.until else {
            return Judgement::Acceptable;
        };
        for (e, date, scope) in &self.exceptions {
            let applies = match scope {
                Scope::ItalianQualified => situation.italian_qualified,
            };
            if applies && e.algorithm.eq_ignore_ascii_case(name) && *date > until {
                until = *date;
            }
        }
        if at.to_offset(time::UtcOffset::UTC).date() <= until {
            Judgement::Acceptable
        } else {
            Judgement::Expired {
                algorithm: name.to_owned(),
                until,
            }
        }
    }

    /// Judges a digest algorithm, named as the `cades` crate names it (`SHA-256`) or by OID.
    pub fn judge_digest(&self, name: &str, at: OffsetDateTime, situation: Situation) -> Judgement {
        match self
            .digests
            .iter()
            .find(|(d, _)| d.name.eq_ignore_ascii_case(name) || d.oids.iter().any(|o| o == name))
        {
            Some((d, r)) => self.judge_rule(&d.name, r, at, situation),
            None => Judgement::Unknown(name.to_owned()),
        }
    }

    /// Judges a signature key.
    pub fn judge_key(
        &self,
        key: &KeyDescription,
        at: OffsetDateTime,
        situation: Situation,
    ) -> Judgement {
        let found = match key {
            KeyDescription::Rsa(bits) => self
                .keys
                .iter()
                .filter(|(k, _)| k.kind == "RSA" && k.min_bits.is_some_and(|m| m <= *bits))
                .max_by_key(|(k, _)| k.min_bits),
            KeyDescription::Ec(curve) => self
                .keys
                .iter()
                .find(|(k, _)| k.kind == "EC" && k.curves.iter().any(|c| c == curve_name(curve))),
            KeyDescription::Ed25519 => self.keys.iter().find(|(k, _)| k.kind == "Ed25519"),
            KeyDescription::Ed448 => self.keys.iter().find(|(k, _)| k.kind == "Ed448"),
            KeyDescription::Other(_) => None,
        };
        match found {
            Some((_, r)) => self.judge_rule(&key.name(), r, at, situation),
            None => Judgement::Unknown(key.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn default_policy_loads_and_every_rule_has_a_source() {
        let p = AlgorithmPolicy::etsi_default().unwrap();
        assert!(!p.reviewed().is_empty());
        assert!(p.digests.len() >= 8);
    }

    #[test]
    fn sha1_after_end_date_is_expired_but_italian_exception_extends_it() {
        let p = AlgorithmPolicy::etsi_default().unwrap();
        let at = datetime!(2011-03-01 00:00 UTC);
        assert!(matches!(
            p.judge_digest("SHA-1", at, Situation::default()),
            Judgement::Expired { .. }
        ));
        let it = Situation {
            italian_qualified: true,
        };
        assert_eq!(p.judge_digest("SHA-1", at, it), Judgement::Acceptable);
        assert!(matches!(
            p.judge_digest("SHA-1", datetime!(2011-07-01 00:00 UTC), it),
            Judgement::Expired { .. }
        ));
    }

    #[test]
    fn md5_is_never_and_unknown_is_refused() {
        let p = AlgorithmPolicy::etsi_default().unwrap();
        let at = datetime!(2000-01-01 00:00 UTC);
        assert_eq!(
            p.judge_digest("1.2.840.113549.2.5", at, Situation::default()),
            Judgement::Never("MD5".to_owned())
        );
        assert!(matches!(
            p.judge_digest("1.2.3.4", at, Situation::default()),
            Judgement::Unknown(_)
        ));
    }

    #[test]
    fn rsa_key_sizes_pick_the_largest_matching_rule() {
        let p = AlgorithmPolicy::etsi_default().unwrap();
        let at = datetime!(2026-01-01 00:00 UTC);
        let s = Situation::default();
        assert_eq!(
            p.judge_key(&KeyDescription::Rsa(2048), at, s),
            Judgement::Acceptable
        );
        assert!(matches!(
            p.judge_key(&KeyDescription::Rsa(1024), at, s),
            Judgement::Expired { .. }
        ));
        assert_eq!(
            p.judge_key(
                &KeyDescription::Rsa(1024),
                datetime!(2013-09-08 00:00 UTC),
                s
            ),
            Judgement::Acceptable
        );
        assert_eq!(
            p.judge_key(&KeyDescription::Rsa(512), at, s),
            Judgement::Never("RSA 512".to_owned())
        );
    }
}
