//! The offline portal: pages, search, news, content status, external links.
use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::portal::{
    self, ContentStatus, LoadedPortal, NewsItem, Page, PageSummary, SearchHit,
};
use lavoro_agile_api::settings::Language;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::AppState;

/// Most results a search returns.
const SEARCH_LIMIT: usize = 20;
/// Longest query accepted (characters); longer input is cut.
const MAX_QUERY_CHARS: usize = 200;

/// Loads the portal content (the installed pack if any, else the bundled content).
pub fn load(state: &AppState) -> Option<LoadedPortal> {
    match portal::load(portal::content_source(Some(&state.paths))) {
        Ok(loaded) => {
            let status = loaded.status();
            tracing::info!(
                bundled = status.bundled,
                pages = status.pages,
                version = status.info.as_ref().map(|i| i.version.as_str()),
                "portal content loaded"
            );
            Some(loaded)
        }
        Err(e) => {
            tracing::error!(error = %e, "portal content cannot be loaded");
            None
        }
    }
}

/// Loads the content again (after a portal pack was installed) and swaps it in.
pub fn reload(state: &AppState) {
    let loaded = load(state);
    if let Ok(mut slot) = state.portal.write() {
        *slot = loaded;
    }
}

fn unavailable(l: Language) -> ErrorPayload {
    let message = match l {
        Language::It => "Il contenuto del portale non è disponibile.",
        Language::En => "The portal content is not available.",
    };
    ErrorPayload::with_message(
        "portal_unavailable",
        "portal content not loaded".into(),
        message.into(),
    )
}

fn with_portal<T>(state: &AppState, f: impl FnOnce(&LoadedPortal) -> T) -> Result<T, ErrorPayload> {
    let guard = state
        .portal
        .read()
        .map_err(|_| unavailable(state.language()))?;
    guard
        .as_ref()
        .map(f)
        .ok_or_else(|| unavailable(state.language()))
}

/// The pages, for the menu (in menu order).
#[tauri::command]
pub fn portal_list(state: State<'_, AppState>) -> Result<Vec<PageSummary>, ErrorPayload> {
    with_portal(&state, |p| p.portal.summaries())
}

/// One page, rendered; an error when there is no page with that name.
#[tauri::command]
pub fn portal_page(state: State<'_, AppState>, slug: String) -> Result<Page, ErrorPayload> {
    let page = with_portal(&state, |p| p.portal.page(&slug).cloned())?;
    page.ok_or_else(|| {
        let message = match state.language() {
            Language::It => "Questa pagina del portale non esiste.",
            Language::En => "This portal page does not exist.",
        };
        ErrorPayload::with_message(
            "portal_page_missing",
            format!("no page {slug:?}"),
            message.into(),
        )
    })
}

/// Full-text search, best first.
#[tauri::command]
pub fn portal_search(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<SearchHit>, ErrorPayload> {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    with_portal(&state, |p| p.portal.search(&query, SEARCH_LIMIT))
}

/// News items of "Comunicazione interna", newest first.
#[tauri::command]
pub fn portal_news(state: State<'_, AppState>) -> Result<Vec<NewsItem>, ErrorPayload> {
    with_portal(&state, |p| p.portal.news().to_vec())
}

/// Version, date and origin of the content shown.
#[tauri::command]
pub fn portal_status(state: State<'_, AppState>) -> Result<ContentStatus, ErrorPayload> {
    with_portal(&state, LoadedPortal::status)
}

/// What happened when the user asked to save an attachment.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    /// The user closed the dialog.
    Cancelled,
    /// The attachment was written.
    Saved {
        /// The file written.
        file: String,
    },
}

/// Saves an attachment of the content (a template, for instance) where the user chooses.
#[tauri::command]
pub async fn portal_attachment_save(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    title: String,
) -> Result<SaveOutcome, ErrorPayload> {
    let l = state.language();
    let bytes = with_portal(&state, |p| p.portal.attachment(&path).map(<[u8]>::to_vec))?;
    let Some(bytes) = bytes else {
        let message = match l {
            Language::It => "Questo allegato non è presente nel contenuto del portale.",
            Language::En => "This attachment is not part of the portal content.",
        };
        return Err(ErrorPayload::with_message(
            "portal_attachment_missing",
            format!("no attachment {path:?}"),
            message.into(),
        ));
    };
    let file_name = path.rsplit('/').next().unwrap_or(path.as_str());
    let Some(target) = state.picker.save(&app, &title, file_name) else {
        return Ok(SaveOutcome::Cancelled);
    };
    match std::fs::write(&target, bytes) {
        Ok(()) => {
            tracing::info!(attachment = %file_name, "attachment saved");
            Ok(SaveOutcome::Saved {
                file: target.display().to_string(),
            })
        }
        Err(e) => {
            tracing::warn!(attachment = %file_name, error = %e, "attachment not saved");
            let message = match l {
                Language::It => format!("Impossibile salvare il file: {e}"),
                Language::En => format!("The file cannot be saved: {e}"),
            };
            Err(ErrorPayload::with_message(
                "portal_save_failed",
                e.to_string(),
                message,
            ))
        }
    }
}

/// Opens an external link of a portal page in the system browser (or mail program). Only
/// `https:`, `http:`, `mailto:` and `tel:` addresses are opened, and only addresses that
/// a page of the loaded content links to.
#[tauri::command]
pub fn portal_open_external(
    app: AppHandle,
    state: State<'_, AppState>,
    url: String,
) -> Result<(), ErrorPayload> {
    let l = state.language();
    if !with_portal(&state, |p| may_open_external(&p.portal, &url))? {
        tracing::warn!("refused to open an address no portal page links to");
        let message = match l {
            Language::It => "Questo indirizzo non può essere aperto.",
            Language::En => "This address cannot be opened.",
        };
        return Err(ErrorPayload::with_message(
            "portal_link_refused",
            "address not linked by the portal".into(),
            message.into(),
        ));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| {
            tracing::warn!(error = %e, "cannot open the system browser");
            let message = match l {
                Language::It => "Impossibile aprire il browser di sistema.",
                Language::En => "The system browser cannot be opened.",
            };
            ErrorPayload::with_message("portal_open_failed", e.to_string(), message.into())
        })
}

/// Whether `url` has a scheme the system may open and a page or news item of `portal`
/// links to it.
fn may_open_external(portal: &lavoro_agile_api::portal::Portal, url: &str) -> bool {
    let allowed_scheme = ["https://", "http://", "mailto:", "tel:"].iter().any(|s| {
        url.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    });
    let needle = format!("href=\"{}\"", escape_attr(url));
    allowed_scheme
        && (portal.pages().iter().any(|page| page.html.contains(&needle))
            || portal.news().iter().any(|n| n.html.contains(&needle)))
}

/// Escapes an address as the sanitiser serialises attribute values, so that it can be
/// found in the pages' HTML.
fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\u{a0}', "&nbsp;")
        .replace('"', "&quot;")
}

/// One question as the questionnaire shows it: without the right answer.
#[derive(Debug, Serialize)]
pub struct QuestionView {
    /// Identifier, sent back with the answer.
    pub id: String,
    /// Area identifier.
    pub area: String,
    /// The question.
    pub text: String,
    /// The possible answers.
    pub options: Vec<String>,
}

/// The self-assessment: its questions, and the result stored on this computer, if any.
#[derive(Debug, Serialize)]
pub struct AssessmentView {
    /// Questionnaire version.
    pub version: u32,
    /// Title.
    pub title: String,
    /// Introduction.
    pub intro: String,
    /// The areas, in syllabus order.
    pub areas: Vec<portal::Area>,
    /// The questions, in order.
    pub questions: Vec<QuestionView>,
    /// The last result kept on this computer.
    pub last: Option<portal::StoredAssessment>,
}

/// The self-assessment questionnaire of the content, or `None` when it has none.
#[tauri::command]
pub fn portal_assessment(
    state: State<'_, AppState>,
) -> Result<Option<AssessmentView>, ErrorPayload> {
    let last = portal::load_assessment_result(&state.paths);
    with_portal(&state, |p| {
        p.portal.assessment().map(|a| AssessmentView {
            version: a.version,
            title: a.title.clone(),
            intro: a.intro.clone(),
            areas: a.areas.clone(),
            questions: a
                .questions
                .iter()
                .map(|q| QuestionView {
                    id: q.id.clone(),
                    area: q.area.clone(),
                    text: q.text.clone(),
                    options: q.options.clone(),
                })
                .collect(),
            last: last.clone(),
        })
    })
}

/// Scores the answers and keeps the result in the user's data folder only.
#[tauri::command]
pub fn portal_assessment_submit(
    state: State<'_, AppState>,
    answers: Vec<portal::Answer>,
) -> Result<portal::StoredAssessment, ErrorPayload> {
    let scored = with_portal(&state, |p| p.portal.assessment().map(|a| a.score(&answers)))?;
    let result = match scored {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            let err = lavoro_agile_api::ApiError::InvalidArgument(e.to_string());
            return Err(ErrorPayload::from(&err));
        }
        None => return Err(unavailable(state.language())),
    };
    let taken_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let stored = portal::StoredAssessment { taken_at, result };
    portal::save_assessment_result(&state.paths, &stored).map_err(|e| ErrorPayload::from(&e))?;
    tracing::info!(
        correct = stored.result.correct,
        total = stored.result.total,
        "self-assessment scored and kept locally"
    );
    Ok(stored)
}

/// Deletes the stored self-assessment result.
#[tauri::command]
pub fn portal_assessment_forget(state: State<'_, AppState>) -> Result<(), ErrorPayload> {
    portal::forget_assessment_result(&state.paths).map_err(|e| ErrorPayload::from(&e))
}

#[cfg(test)]
mod tests {
    use super::may_open_external;
    use lavoro_agile_api::portal::Portal;

    #[test]
    fn open_external_linked_address_is_allowed_others_are_refused() {
        let portal = Portal::bundled().unwrap();
        let linked = portal
            .pages()
            .iter()
            .find_map(|p| {
                let start = p.html.find("href=\"https://")? + "href=\"".len();
                let end = start + p.html.get(start..)?.find('"')?;
                p.html.get(start..end).map(|s| s.replace("&amp;", "&"))
            })
            .unwrap();
        assert!(may_open_external(&portal, &linked), "{linked}");
        for refused in [
            "https://example.invalid/not-linked",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!may_open_external(&portal, refused), "{refused}");
        }
        let no_scheme = linked.trim_start_matches("https://");
        assert!(!may_open_external(&portal, no_scheme), "{no_scheme}");
    }
}
