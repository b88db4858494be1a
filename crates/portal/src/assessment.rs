//! The digital-skills self-assessment: questions come with the content
//! (`autovalutazione.json`), scoring happens here, results stay with the caller.
//!
//! The crate never stores answers or results: the desktop app keeps them on the laptop.
//! The result is indicative, one level per area of the syllabus "Competenze digitali per
//! la PA", and it is not a certification.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// Largest questionnaire file we read.
pub(crate) const MAX_ASSESSMENT_BYTES: usize = 256 * 1024;
const MAX_QUESTIONS: usize = 200;
const MAX_OPTIONS: usize = 8;

/// One area of the syllabus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// Stable identifier (`dati`, `comunicazione`...).
    pub id: String,
    /// Number in the syllabus (1 to 5).
    pub number: u8,
    /// Title, in Italian.
    pub title: String,
    /// Portal page (and optional anchor, `slug#anchor`) to study the area.
    pub page: String,
}

/// One multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier, used in answers and stored results.
    pub id: String,
    /// The area it belongs to.
    pub area: String,
    /// The question.
    pub text: String,
    /// The possible answers.
    pub options: Vec<String>,
    /// Index of the right answer in `options`.
    pub correct: usize,
    /// Why the right answer is right, shown after scoring.
    pub explanation: String,
}

/// The questionnaire, as shipped with the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Changes when questions change, so stored results say which set they answered.
    pub version: u32,
    /// Title shown above the questions.
    pub title: String,
    /// Text shown before the questions.
    pub intro: String,
    /// The five areas.
    pub areas: Vec<Area>,
    /// The questions.
    pub questions: Vec<Question>,
}

/// The user's choice for one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question answered.
    pub question: String,
    /// Index of the option chosen.
    pub option: usize,
}

/// An indicative level, following the syllabus levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Level {
    /// Below the base level: start from the basics.
    DaApprofondire,
    /// Base.
    Base,
    /// Intermedio.
    Intermedio,
    /// Avanzato.
    Avanzato,
}

impl Level {
    /// From the share of right answers, in percent.
    pub fn from_percent(percent: u8) -> Self {
        match percent {
            0..=49 => Self::DaApprofondire,
            50..=74 => Self::Base,
            75..=99 => Self::Intermedio,
            _ => Self::Avanzato,
        }
    }

    /// The level's name for the user.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match (self, lang) {
            (Self::DaApprofondire, crate::Lang::It) => "da approfondire",
            (Self::DaApprofondire, crate::Lang::En) => "to be developed",
            (Self::Base, crate::Lang::It) => "base",
            (Self::Base, crate::Lang::En) => "basic",
            (Self::Intermedio, crate::Lang::It) => "intermedio",
            (Self::Intermedio, crate::Lang::En) => "intermediate",
            (Self::Avanzato, crate::Lang::It) => "avanzato",
            (Self::Avanzato, crate::Lang::En) => "advanced",
        }
    }
}

/// The result for one area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaResult {
    /// Area identifier.
    pub area: String,
    /// Area title.
    pub title: String,
    /// Questions in the area.
    pub total: u32,
    /// Questions answered.
    pub answered: u32,
    /// Right answers.
    pub correct: u32,
    /// Right answers over all the area's questions, in percent (rounded down).
    pub percent: u8,
    /// Indicative level.
    pub level: Level,
    /// Where to study (`slug#anchor`).
    pub page: String,
}

/// Feedback on one wrong or missing answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The question.
    pub question: String,
    /// The option chosen, if any.
    pub chosen: Option<usize>,
    /// The right option.
    pub correct: usize,
    /// Why.
    pub explanation: String,
}

/// The whole result. Serializable so the app can keep it on the laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentResult {
    /// The questionnaire version answered.
    pub version: u32,
    /// One entry per area, in syllabus order.
    pub areas: Vec<AreaResult>,
    /// Right answers over all questions.
    pub correct: u32,
    /// Number of questions.
    pub total: u32,
    /// Questions answered wrongly or not at all, with explanations.
    pub review: Vec<Review>,
}

/// Why a questionnaire or a set of answers was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssessmentError {
    /// The questionnaire file is not valid JSON of the expected shape.
    #[error("questionnaire unreadable: {0}")]
    Syntax(String),
    /// The questionnaire is inconsistent (unknown area, bad `correct`, duplicates...).
    #[error("questionnaire inconsistent: {0}")]
    Inconsistent(String),
    /// An answer names a question that does not exist.
    #[error("answer to unknown question {0}")]
    UnknownQuestion(String),
    /// An answer picks an option that does not exist.
    #[error("answer to {question} picks option {option}, which does not exist")]
    UnknownOption {
        /// The question.
        question: String,
        /// The option index given.
        option: usize,
    },
    /// Two answers to the same question.
    #[error("two answers to question {0}")]
    DuplicateAnswer(String),
}

impl Assessment {
    /// Reads and checks a questionnaire.
    pub fn from_json(bytes: &[u8]) -> Result<Self, AssessmentError> {
        if bytes.len() > MAX_ASSESSMENT_BYTES {
            return Err(AssessmentError::Syntax("file too large".into()));
        }
        let a: Self =
            serde_json::from_slice(bytes).map_err(|e| AssessmentError::Syntax(e.to_string()))?;
        a.check()?;
        Ok(a)
    }

    fn check(&self) -> Result<(), AssessmentError> {
        let bad = |m: String| Err(AssessmentError::Inconsistent(m));
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return bad(format!("{} questions", self.questions.len()));
        }
        let mut area_ids = HashSet::new();
        for a in &self.areas {
            if !area_ids.insert(a.id.as_str()) {
                return bad(format!("area {} twice", a.id));
            }
        }
        let mut ids = HashSet::new();
        for q in &self.questions {
            if !ids.insert(q.id.as_str()) {
                return bad(format!("question {} twice", q.id));
            }
            if !area_ids.contains(q.area.as_str()) {
                return bad(format!("question {} in unknown area {}", q.id, q.area));
            }
            if q.options.len() < 2 || q.options.len() > MAX_OPTIONS {
                return bad(format!("question {} has {} options", q.id, q.options.len()));
            }
            if q.correct >= q.options.len() {
                return bad(format!("question {}: correct option out of range", q.id));
            }
        }
        for a in &self.areas {
            if !self.questions.iter().any(|q| q.area == a.id) {
                return bad(format!("area {} has no questions", a.id));
            }
        }
        Ok(())
    }

    /// Scores a set of answers. Unanswered questions count as wrong; answers naming
    /// unknown questions or options are refused, so a stale form cannot be scored silently.
    pub fn score(&self, answers: &[Answer]) -> Result<AssessmentResult, AssessmentError> {
        let mut given: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for a in answers {
            let Some(q) = self.questions.iter().find(|q| q.id == a.question) else {
                return Err(AssessmentError::UnknownQuestion(a.question.clone()));
            };
            if a.option >= q.options.len() {
                return Err(AssessmentError::UnknownOption {
                    question: a.question.clone(),
                    option: a.option,
                });
            }
            if given.insert(q.id.as_str(), a.option).is_some() {
                return Err(AssessmentError::DuplicateAnswer(a.question.clone()));
            }
        }
        let mut areas = Vec::with_capacity(self.areas.len());
        let mut review = Vec::new();
        let (mut correct_all, mut total_all) = (0u32, 0u32);
        let mut ordered: Vec<&Area> = self.areas.iter().collect();
        ordered.sort_by_key(|a| a.number);
        for area in ordered {
            let (mut total, mut answered, mut correct) = (0u32, 0u32, 0u32);
            for q in self.questions.iter().filter(|q| q.area == area.id) {
                total += 1;
                let chosen = given.get(q.id.as_str()).copied();
                if chosen.is_some() {
                    answered += 1;
                }
                if chosen == Some(q.correct) {
                    correct += 1;
                } else {
                    review.push(Review {
                        question: q.id.clone(),
                        chosen,
                        correct: q.correct,
                        explanation: q.explanation.clone(),
                    });
                }
            }
            let percent = u8::try_from(correct * 100 / total.max(1)).unwrap_or(100);
            correct_all += correct;
            total_all += total;
            areas.push(AreaResult {
                area: area.id.clone(),
                title: area.title.clone(),
                total,
                answered,
                correct,
                percent,
                level: Level::from_percent(percent),
                page: area.page.clone(),
            });
        }
        Ok(AssessmentResult {
            version: self.version,
            areas,
            correct: correct_all,
            total: total_all,
            review,
        })
    }
}
