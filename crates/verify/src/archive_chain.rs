//! Chains of archive timestamps (ETSI EN 319 102-1, past signature validation and proof of
//! existence): a timestamp of a signer (its signature timestamp or an earlier archive
//! timestamp) that fails at the validation time only because its TSA's certificate has
//! since expired or been revoked is validated again at the time a later, valid archive
//! timestamp proves it existed. The walk starts from the latest timestamp, so that each one
//! found valid can in turn prove the earlier ones it covers; the number of validations
//! again is bounded.
//!
//! An archive timestamp covers the timestamps of its signer that are older than it (ATSv2
//! and ATSv1 hash the other unsigned attributes, ATSv3 lists them in its ATSHashIndex),
//! provided its imprint matched the data rebuilt from the envelope and its ATSHashIndex
//! found everything it lists.

use std::cmp::Reverse;

use lavoro_agile_cades::timestamp::{ImprintOutcome, TimestampFacts};
use time::OffsetDateTime;

use crate::assess::check;
use crate::report::{Indication, Outcome, TimestampReport};
use crate::{day_time, lifted_by_poe, timestamp_report_at, timestamp_time, validation, Options};

/// At most this many timestamps of one signer are validated again at a proof of existence.
pub(crate) const MAX_REVALIDATIONS: usize = 16;

fn can_prove(kind: &str) -> bool {
    matches!(kind, "signature" | "archive")
}

/// Whether archive timestamp `archive` covers timestamp `other` of the same signer.
fn covers(
    reports: &[TimestampReport],
    facts: &[&TimestampFacts],
    archive: usize,
    other: usize,
) -> bool {
    let (Some(a), Some(fa), Some(o), Some(fo)) = (
        reports.get(archive),
        facts.get(archive),
        reports.get(other),
        facts.get(other),
    ) else {
        return false;
    };
    archive != other
        && a.kind == "archive"
        && can_prove(o.kind)
        && fa.imprint == ImprintOutcome::Match
        && fa.index_problem.is_none()
        && matches!((fo.gen_time, fa.gen_time), (Some(x), Some(y)) if x < y)
}

/// Extends the proofs of existence of one signer's timestamps (`reports`, made at the
/// validation time, with their `facts` in the same order) through its archive timestamps:
/// archive timestamps list the timestamps they cover in `covers`, and a covered timestamp
/// failing only for lack of a proof of existence is validated again at the time of the
/// earliest valid archive timestamp covering it; when that passes its report is replaced
/// and carries the `proof_of_existence` check naming that archive timestamp.
pub(crate) fn extend(
    reports: &mut [TimestampReport],
    facts: &[&TimestampFacts],
    options: &Options,
    ctx: &validation::TrustContext,
) {
    let n = reports.len().min(facts.len());
    // What each archive timestamp covers, by id.
    for a in 0..n {
        let covered: Vec<String> = (0..n)
            .filter(|&o| covers(reports, facts, a, o))
            .filter_map(|o| reports.get(o).map(|r| r.id.clone()))
            .collect();
        if let Some(r) = reports.get_mut(a) {
            for id in covered {
                if !r.covers.contains(&id) {
                    r.covers.push(id);
                }
            }
        }
    }
    let gen = |k: usize| facts.get(k).and_then(|f| f.gen_time);
    let mut order: Vec<usize> = (0..n)
        .filter(|&k| reports.get(k).is_some_and(|r| can_prove(r.kind)) && gen(k).is_some())
        .collect();
    order.sort_by_key(|&k| Reverse(gen(k)));
    let mut valid = vec![false; n];
    let mut budget = MAX_REVALIDATIONS;
    for &k in &order {
        let (Some(r), Some(f)) = (reports.get(k), facts.get(k)) else {
            continue;
        };
        if r.indication == Indication::TotalPassed {
            if f.imprint == ImprintOutcome::Match {
                if let Some(v) = valid.get_mut(k) {
                    *v = true;
                }
            }
            continue;
        }
        if f.imprint != ImprintOutcome::Match || !lifted_by_poe(r.subindication) {
            continue;
        }
        // The earliest valid archive timestamp covering it.
        let by = order
            .iter()
            .copied()
            .filter(|&a| valid.get(a).copied().unwrap_or(false) && covers(reports, facts, a, k))
            .min_by_key(|&a| gen(a));
        let (Some(a), true) = (by, budget > 0) else {
            continue;
        };
        let (Some(at), Some(by_id)) = (gen(a), reports.get(a).map(|r| r.id.clone())) else {
            continue;
        };
        budget -= 1;
        let mut again =
            timestamp_report_at(r.id.clone(), r.kind, f, r.covers.clone(), options, ctx, at);
        if again.indication != Indication::TotalPassed {
            continue;
        }
        again
            .checks
            .push(poe_check(&by_id, at, timestamp_time(options, f)));
        if let Some(slot) = reports.get_mut(k) {
            *slot = again;
        }
        if let Some(v) = valid.get_mut(k) {
            *v = true;
        }
    }
}

/// The `proof_of_existence` check of a timestamp validated through a later one.
fn poe_check(by: &str, at: OffsetDateTime, asked: OffsetDateTime) -> crate::report::Check {
    let (at, asked) = (day_time(at), day_time(asked));
    check(
        "proof_of_existence",
        Outcome::Passed,
        None,
        format!("La marca temporale d'archivio {by} prova che questa marca temporale esisteva già il {at}: è stata verificata a quella data, perché alla data richiesta ({asked}) il certificato dell'autorità di marcatura temporale era scaduto o revocato."),
        format!("Archive timestamp {by} proves that this timestamp already existed on {at}: it was checked at that time, because at the time asked for ({asked}) the timestamping authority's certificate had expired or been revoked."),
    )
}
