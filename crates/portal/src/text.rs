//! Italian text normalisation for search: accent folding, tokenising, stop words, stemming.
//!
//! The same pipeline runs on the content at load time and on every query, so "perche" meets
//! "perché" and "firmare" meets "firma" (both stem to `firm`).

use rust_stemmers::{Algorithm, Stemmer};

/// Words shorter than this are only kept when they are numbers ("81", "34").
const MIN_WORD_CHARS: usize = 2;
/// Longer "words" are cut: nobody searches for 64-letter words, and it bounds the vocabulary.
const MAX_WORD_CHARS: usize = 40;

/// Italian function words that carry no meaning for search (already accent-folded).
const STOP_WORDS: &[&str] = &[
    "a", "ad", "agli", "ai", "al", "all", "alla", "alle", "allo", "anche", "c", "che", "chi", "ci",
    "come", "con", "cui", "d", "da", "dagli", "dai", "dal", "dall", "dalla", "dalle", "dallo",
    "de", "degli", "dei", "del", "dell", "della", "delle", "dello", "di", "e", "ed", "fra", "gli",
    "ha", "hanno", "i", "il", "in", "l", "la", "le", "lo", "ma", "ne", "negli", "nei", "nel",
    "nell", "nella", "nelle", "nello", "o", "od", "per", "piu", "quale", "quali", "quando",
    "questa", "queste", "questi", "questo", "se", "si", "sia", "sono", "su", "sugli", "sui", "sul",
    "sull", "sulla", "sulle", "sullo", "tra", "un", "una", "uno", "va", "vi",
];

/// A word found in a text: where it is (byte offsets into the text) and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset just past the last character in the original text.
    pub end: usize,
    /// Lower-case, accent-free form ("perché" -> "perche").
    pub folded: String,
}

/// Lower-cases and removes diacritics from one character; `None` for characters that are not
/// part of a word.
fn fold_char(c: char, out: &mut String) -> bool {
    let folded: &str = match c {
        'a'..='z' | '0'..='9' => {
            out.push(c);
            return true;
        }
        'A'..='Z' => {
            out.push(c.to_ascii_lowercase());
            return true;
        }
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ç' | 'Ç' => "c",
        'ñ' | 'Ñ' => "n",
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        _ if c.is_alphanumeric() => {
            // Other scripts: keep the lower-case form; they are rare in our content.
            out.extend(c.to_lowercase());
            return true;
        }
        _ => return false,
    };
    out.push_str(folded);
    true
}

/// Folds a whole string (lower case, no accents), keeping non-word characters as spaces.
#[cfg(test)]
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !fold_char(c, &mut out) {
            out.push(' ');
        }
    }
    out
}

/// Splits `text` into words. Apostrophes split elisions ("dell'ente" -> "dell", "ente"),
/// every other non-alphanumeric character separates words too.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0usize;
    let mut chars = 0usize;
    for (i, c) in text.char_indices() {
        let before = current.len();
        if fold_char(c, &mut current) {
            if before == 0 {
                start = i;
                chars = 0;
            }
            chars += 1;
            if chars > MAX_WORD_CHARS {
                // Drop what this character added: the word is cut here.
                current.truncate(before);
            }
        } else if !current.is_empty() {
            out.push(Word {
                start,
                end: i,
                folded: std::mem::take(&mut current),
            });
        }
    }
    if !current.is_empty() {
        out.push(Word {
            start,
            end: text.len(),
            folded: current,
        });
    }
    out
}

/// True for a word worth indexing: not a stop word, long enough or a number.
pub(crate) fn is_indexable(folded: &str) -> bool {
    if folded.chars().all(|c| c.is_ascii_digit()) {
        return !folded.is_empty();
    }
    folded.chars().count() >= MIN_WORD_CHARS && !is_stop_word(folded)
}

/// True for an Italian function word.
pub(crate) fn is_stop_word(folded: &str) -> bool {
    STOP_WORDS.binary_search(&folded).is_ok()
}

/// The Italian Snowball stemmer, applied to folded words.
pub(crate) struct ItalianStemmer(Stemmer);

impl ItalianStemmer {
    pub(crate) fn new() -> Self {
        Self(Stemmer::create(Algorithm::Italian))
    }

    /// The stem of a folded word; numbers and very short words are their own stem.
    pub(crate) fn stem(&self, folded: &str) -> String {
        if folded.len() < 3 || folded.chars().any(|c| c.is_ascii_digit()) {
            return folded.to_owned();
        }
        self.0.stem(folded).into_owned()
    }
}

impl std::fmt::Debug for ItalianStemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ItalianStemmer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn words_elision_splits_and_folds() {
        let w: Vec<String> = words("Dell'Ente: perché FIRMARE?")
            .into_iter()
            .map(|w| w.folded)
            .collect();
        assert_eq!(w, ["dell", "ente", "perche", "firmare"]);
    }

    #[test]
    fn words_offsets_point_into_original_text() {
        let text = "è già qui";
        let w = words(text);
        assert_eq!(&text[w[1].start..w[1].end], "già");
    }

    #[test]
    fn stem_firmare_and_firma_agree() {
        let s = ItalianStemmer::new();
        assert_eq!(s.stem("firmare"), s.stem("firma"));
        assert_eq!(s.stem(&fold("perché")), s.stem("perche"));
    }
}
