//! Italian full-text search over the portal pages.
//!
//! The index is built once, when the content is loaded: an inverted index from Snowball
//! stems to weighted term frequencies per page (title, tags, summary and headings weigh
//! more than body text), plus the sorted list of surface words so that the last word of a
//! query being typed matches as a prefix. Ranking is BM25 with a bonus for pages that
//! match every word of the query. Snippets come from the page text around the best cluster
//! of matches, with the matches marked.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::render::escape_text;
use crate::text::{self, ItalianStemmer};

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.6;
/// Field weights.
const W_TITLE: f32 = 3.0;
/// A query word found in the title adds this many times its IDF, outside BM25 saturation.
const TITLE_BONUS: f32 = 1.0;
/// Pages whose title holds every word of the query get up to this much more (squared share).
const TITLE_COVERAGE_BONUS: f32 = 0.5;
/// A query word found in a heading: the page has a section about it.
const HEADING_BONUS: f32 = 0.5;
const W_TAGS: f32 = 3.0;
const W_SUMMARY: f32 = 2.0;
const W_HEADINGS: f32 = 3.0;
/// Bonus per place where two query words appear next to each other (up to three places).
const PHRASE_BONUS: f32 = 0.25;
const W_BODY: f32 = 1.0;
/// A prefix match counts a little less than the whole word.
const PREFIX_FACTOR: f32 = 0.7;
/// At most this many vocabulary words are tried for the prefix being typed.
const MAX_PREFIX_EXPANSIONS: usize = 64;
/// Queries are cut to this many words and bytes.
const MAX_QUERY_WORDS: usize = 16;
const MAX_QUERY_BYTES: usize = 512;
/// The phrase bonus is computed for this many best pages only (at least three times the
/// results asked for), which bounds the work per query.
const PHRASE_CANDIDATES: usize = 30;
/// Words of context in a snippet.
const SNIPPET_WORDS: usize = 24;

/// What a page contributes to the index.
#[derive(Debug, Clone)]
pub(crate) struct IndexInput<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub tags: &'a [String],
    pub headings: &'a str,
    pub plain: &'a str,
}

/// One result of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The page.
    pub slug: String,
    /// The page title.
    pub title: String,
    /// Plain text around the matches.
    pub snippet: String,
    /// The same snippet as HTML (escaped), with matches in `<mark>`.
    pub snippet_html: String,
    /// Relevance; higher is better. Comparable only within one result list.
    pub score: f32,
}

#[derive(Debug, Clone)]
struct DocData {
    slug: String,
    title: String,
    summary: String,
    plain: String,
    /// Body words: byte range in `plain` and term id (None for stop words and the like).
    words: Vec<(u32, u32, Option<u32>)>,
    /// Weighted length.
    len: f32,
    /// Terms of the title, in order (function words left out).
    title_terms: Vec<u32>,
    /// Terms of the body, in order (function words left out).
    body_terms: Vec<u32>,
    /// Terms of the headings, sorted, without duplicates.
    heading_terms: Vec<u32>,
}

/// The search index of one content set. Build it with [`crate::Portal`] loading.
#[derive(Debug)]
pub struct SearchIndex {
    stemmer: ItalianStemmer,
    terms: HashMap<String, u32>,
    /// For each term: (document, weighted frequency).
    postings: Vec<Vec<(u32, f32)>>,
    /// Folded surface words, sorted, with their term.
    surface: Vec<(String, u32)>,
    docs: Vec<DocData>,
    avg_len: f32,
    body_words: usize,
}

/// One query word after normalisation: its candidate terms with a weight each.
#[derive(Debug)]
struct QueryWord {
    candidates: Vec<(u32, f32)>,
}

impl SearchIndex {
    /// Builds the index. Documents keep the order given.
    pub(crate) fn build(inputs: &[IndexInput<'_>]) -> Self {
        let stemmer = ItalianStemmer::new();
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<(u32, f32)>> = Vec::new();
        let mut surface: BTreeSet<(String, u32)> = BTreeSet::new();
        let mut docs = Vec::with_capacity(inputs.len());
        let mut total_len = 0f32;
        let mut body_words = 0usize;

        for (doc_id, input) in inputs.iter().enumerate() {
            let doc_id = u32::try_from(doc_id).unwrap_or(u32::MAX);
            let mut tf: HashMap<u32, f32> = HashMap::new();
            let mut len = 0f32;
            let mut add_field =
                |text_in: &str,
                 weight: f32,
                 mut positions: Option<&mut Vec<(u32, u32, Option<u32>)>>| {
                    let words = text::words(text_in);
                    // "Wi-Fi" is also found as "wifi", "e-mail" as "email".
                    let compounds: Vec<String> = words
                        .windows(2)
                        .filter_map(|pair| match pair {
                            [a, b] if text_in.get(a.end..b.start) == Some("-") => {
                                Some(format!("{}{}", a.folded, b.folded))
                            }
                            _ => None,
                        })
                        .collect();
                    let mut add_term = |folded: &str| {
                        let stem = stemmer.stem(folded);
                        let next = u32::try_from(terms.len()).unwrap_or(u32::MAX);
                        let id = *terms.entry(stem).or_insert_with(|| {
                            postings.push(Vec::new());
                            next
                        });
                        surface.insert((folded.to_owned(), id));
                        *tf.entry(id).or_insert(0.0) += weight;
                        id
                    };
                    for c in &compounds {
                        add_term(c);
                    }
                    for w in words {
                        let term = if text::is_indexable(&w.folded) {
                            len += weight;
                            Some(add_term(&w.folded))
                        } else {
                            None
                        };
                        if let Some(p) = positions.as_deref_mut() {
                            p.push((
                                u32::try_from(w.start).unwrap_or(u32::MAX),
                                u32::try_from(w.end).unwrap_or(u32::MAX),
                                term,
                            ));
                        }
                    }
                };
            let mut positions = Vec::new();
            let mut title_positions = Vec::new();
            add_field(input.title, W_TITLE, Some(&mut title_positions));
            for tag in input.tags {
                add_field(tag, W_TAGS, None);
            }
            add_field(input.summary, W_SUMMARY, None);
            let mut heading_positions = Vec::new();
            add_field(
                input.headings,
                W_HEADINGS - W_BODY,
                Some(&mut heading_positions),
            );
            let mut heading_terms: Vec<u32> =
                heading_positions.iter().filter_map(|w| w.2).collect();
            heading_terms.sort_unstable();
            heading_terms.dedup();
            add_field(input.plain, W_BODY, Some(&mut positions));
            for (term, freq) in tf {
                if let Some(list) = postings.get_mut(term as usize) {
                    list.push((doc_id, freq));
                }
            }
            total_len += len;
            body_words += positions.len();
            docs.push(DocData {
                slug: input.slug.to_owned(),
                title: input.title.to_owned(),
                summary: input.summary.to_owned(),
                plain: input.plain.to_owned(),
                body_terms: positions.iter().filter_map(|w| w.2).collect(),
                heading_terms,
                words: positions,
                len,
                title_terms: title_positions.iter().filter_map(|w| w.2).collect(),
            });
        }
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            (total_len / docs.len() as f32).max(1.0)
        };
        Self {
            stemmer,
            terms,
            postings,
            surface: surface.into_iter().collect(),
            docs,
            avg_len,
            body_words,
        }
    }

    /// Words in the indexed page bodies (stop words included).
    pub fn word_count(&self) -> usize {
        self.body_words
    }

    /// Number of indexed pages.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when no page is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn parse_query(&self, query: &str) -> Vec<QueryWord> {
        let query = match query.char_indices().nth(MAX_QUERY_BYTES) {
            Some((i, _)) => query.get(..i).unwrap_or(query),
            None => query,
        };
        // The last word is still being typed unless the query ends with a separator.
        let typing = query.chars().last().is_some_and(char::is_alphanumeric);
        let words = text::words(query);
        let count = words.len().min(MAX_QUERY_WORDS);
        let all_stop = words.iter().all(|w| !text::is_indexable(&w.folded));
        let mut out = Vec::new();
        for (i, w) in words.into_iter().take(MAX_QUERY_WORDS).enumerate() {
            let last = i + 1 == count;
            let mut candidates: Vec<(u32, f32)> = Vec::new();
            if text::is_indexable(&w.folded) || all_stop {
                let stem = self.stemmer.stem(&w.folded);
                if let Some(&id) = self.terms.get(&stem) {
                    candidates.push((id, 1.0));
                }
            }
            if last && typing && w.folded.chars().count() >= 2 {
                let start = self
                    .surface
                    .partition_point(|(s, _)| s.as_str() < w.folded.as_str());
                for (word, id) in self
                    .surface
                    .iter()
                    .skip(start)
                    .take_while(|(s, _)| s.starts_with(w.folded.as_str()))
                    .take(MAX_PREFIX_EXPANSIONS)
                {
                    if !candidates.iter().any(|(c, _)| c == id) {
                        let weight = if *word == w.folded {
                            1.0
                        } else {
                            PREFIX_FACTOR
                        };
                        candidates.push((*id, weight));
                    }
                }
            }
            if candidates.is_empty() && !text::is_indexable(&w.folded) && !all_stop {
                // A stop word that is not being typed: it simply does not count.
                continue;
            }
            out.push(QueryWord { candidates });
        }
        out
    }

    /// Searches the pages. Best results first, at most `limit` of them.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let words = self.parse_query(query);
        if words.is_empty() || limit == 0 {
            return Vec::new();
        }
        let n_docs = self.docs.len() as f32;
        // For each document: summed score, query words matched, query words in the title.
        let mut scores: HashMap<u32, (f32, usize, usize)> = HashMap::new();
        for word in &words {
            // Per page: the best score among this word's candidate terms, and whether
            // one of them is in the title.
            let mut best: HashMap<u32, (f32, bool)> = HashMap::new();
            for &(term, weight) in &word.candidates {
                let Some(list) = self.postings.get(term as usize) else {
                    continue;
                };
                let df = list.len() as f32;
                let idf = ((n_docs - df + 0.5) / (df + 0.5) + 1.0).ln();
                for &(doc, tf) in list {
                    let d = self.docs.get(doc as usize);
                    let len = d.map_or(self.avg_len, |d| d.len);
                    let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
                    let in_title = d.is_some_and(|d| d.title_terms.contains(&term));
                    let in_heading =
                        d.is_some_and(|d| d.heading_terms.binary_search(&term).is_ok());
                    let title = if in_title { TITLE_BONUS } else { 0.0 }
                        + if in_heading { HEADING_BONUS } else { 0.0 };
                    let s = idf * (norm + title) * weight;
                    let e = best.entry(doc).or_insert((0.0, false));
                    e.0 = e.0.max(s);
                    e.1 |= in_title;
                }
            }
            for (doc, (s, in_title)) in best {
                let e = scores.entry(doc).or_insert((0.0, 0, 0));
                e.0 += s;
                e.1 += 1;
                e.2 += usize::from(in_title);
            }
        }
        let total = words.len() as f32;
        let mut ranked: Vec<(u32, f32, usize)> = scores
            .into_iter()
            .map(|(doc, (s, matched, in_title))| {
                let coverage = matched as f32 / total;
                let title_coverage = in_title as f32 / total;
                let score = s
                    * (0.25 + 0.75 * coverage * coverage)
                    * (1.0 + TITLE_COVERAGE_BONUS * title_coverage * title_coverage);
                (doc, score, matched)
            })
            .collect();
        let by_score =
            |a: &(u32, f32, usize), b: &(u32, f32, usize)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        ranked.sort_by(by_score);
        if words.len() > 1 {
            // Pages where the query's words stand next to each other go up.
            let pairs = query_pairs(&words, self.terms.len());
            let n = PHRASE_CANDIDATES.max(limit.saturating_mul(3));
            for entry in ranked.iter_mut().take(n).filter(|e| e.2 > 1) {
                if let Some(d) = self.docs.get(entry.0 as usize) {
                    let adjacent = adjacent_pairs(d, &pairs).min(3) as f32;
                    entry.1 *= 1.0 + PHRASE_BONUS * adjacent;
                }
            }
            ranked.sort_by(by_score);
        }
        ranked.truncate(limit);
        let matched_terms: HashSet<u32> = words
            .iter()
            .flat_map(|w| w.candidates.iter().map(|(t, _)| *t))
            .collect();
        ranked
            .into_iter()
            .filter_map(|(doc, score, _)| {
                let d = self.docs.get(doc as usize)?;
                let (snippet, marks) = snippet(d, &matched_terms);
                Some(SearchHit {
                    slug: d.slug.clone(),
                    title: d.title.clone(),
                    snippet_html: mark_html(&snippet, &marks),
                    snippet,
                    score: (score * 1000.0).round() / 1000.0,
                })
            })
            .collect()
    }
}

/// The pairs of terms that stand for two consecutive query words, and a mask of the
/// terms that start a pair (an array lookup keeps the scan over page text cheap).
struct QueryPairs {
    first: Vec<bool>,
    pairs: Vec<(u32, u32)>,
}

fn query_pairs(words: &[QueryWord], vocabulary: usize) -> QueryPairs {
    let mut first = vec![false; vocabulary];
    let mut pairs = Vec::new();
    for qw in words.windows(2) {
        if let (Some(q1), Some(q2)) = (qw.first(), qw.get(1)) {
            for a in &q1.candidates {
                if let Some(f) = first.get_mut(a.0 as usize) {
                    *f = true;
                }
                for b in &q2.candidates {
                    pairs.push((a.0, b.0));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    QueryPairs { first, pairs }
}

/// How many times two consecutive query words appear as consecutive words of the page
/// (function words in between are skipped, as in the query); the title counts double.
fn adjacent_pairs(doc: &DocData, q: &QueryPairs) -> usize {
    let mut count = 0;
    for (terms, worth) in [(&doc.title_terms, 2), (&doc.body_terms, 1)] {
        for pair in terms.windows(2) {
            if let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) {
                if q.first.get(a as usize).copied().unwrap_or(false)
                    && q.pairs.binary_search(&(a, b)).is_ok()
                {
                    count += worth;
                }
            }
        }
    }
    count
}

/// The best window of the page text and the byte ranges of matches inside it.
fn snippet(doc: &DocData, matched: &HashSet<u32>) -> (String, Vec<(usize, usize)>) {
    let is_match = |w: &(u32, u32, Option<u32>)| w.2.is_some_and(|t| matched.contains(&t));
    // Slide a window of SNIPPET_WORDS words and keep the one with most distinct matches.
    let mut best: Option<(usize, usize)> = None; // (start index, distinct matches)
    let hits: Vec<usize> = doc
        .words
        .iter()
        .enumerate()
        .filter(|(_, w)| is_match(w))
        .map(|(i, _)| i)
        .collect();
    for (k, &first) in hits.iter().enumerate() {
        let mut distinct: Vec<u32> = Vec::new();
        for &h in hits
            .iter()
            .skip(k)
            .take_while(|&&h| h < first + SNIPPET_WORDS)
        {
            if let Some(t) = doc.words.get(h).and_then(|w| w.2) {
                if !distinct.contains(&t) {
                    distinct.push(t);
                }
            }
        }
        if best.is_none_or(|(_, n)| distinct.len() > n) {
            best = Some((first, distinct.len()));
        }
    }
    let Some((first, _)) = best else {
        // Only the title or the tags matched: the summary says what the page is about.
        return (doc.summary.clone(), Vec::new());
    };
    let start_word = first.saturating_sub(4);
    let end_word = (start_word + SNIPPET_WORDS).min(doc.words.len());
    let (Some(sw), Some(ew)) = (
        doc.words.get(start_word),
        doc.words.get(end_word.saturating_sub(1)),
    ) else {
        return (doc.summary.clone(), Vec::new());
    };
    let (from, to) = (sw.0 as usize, ew.1 as usize);
    let raw = doc.plain.get(from..to).unwrap_or_default();
    let mut text = String::new();
    let mut marks = Vec::new();
    if start_word > 0 {
        text.push_str("… ");
    }
    // Copy the window, collapsing newlines, and record where matches land.
    let offset = text.len();
    text.push_str(&raw.replace('\n', " "));
    for w in doc
        .words
        .get(start_word..end_word)
        .unwrap_or_default()
        .iter()
        .filter(|w| is_match(w))
    {
        let s = (w.0 as usize).saturating_sub(from) + offset;
        let e = (w.1 as usize).saturating_sub(from) + offset;
        marks.push((s, e));
    }
    if end_word < doc.words.len() {
        text.push_str(" …");
    }
    (text, marks)
}

fn mark_html(text: &str, marks: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + marks.len() * 13);
    let mut pos = 0usize;
    for &(s, e) in marks {
        if s < pos || e > text.len() {
            continue;
        }
        let (Some(before), Some(hit)) = (text.get(pos..s), text.get(s..e)) else {
            continue;
        };
        out.push_str(&escape_text(before));
        out.push_str("<mark>");
        out.push_str(&escape_text(hit));
        out.push_str("</mark>");
        pos = e;
    }
    out.push_str(&escape_text(text.get(pos..).unwrap_or_default()));
    out
}
