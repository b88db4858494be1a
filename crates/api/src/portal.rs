//! The offline portal, for both front doors: where its content comes from and how to load it.
//!
//! The content is the installed `portal` pack (the live folder under `<data>/packs/portal/`)
//! when there is one, else the default content compiled into the binary. Loading renders every page and
//! builds the search index once; keep the returned [`LoadedPortal`] in the app state and
//! query it, and load again after a pack install.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::paths::AppPaths;

pub use lavoro_agile_portal::{
    Answer, Area, Assessment, AssessmentError, AssessmentResult, ContentInfo, IsoDate, Lang, Level,
    NewsItem, Page, PageSummary, Portal, PortalError, Problem, SearchHit, TocEntry,
};

/// The live content folder of the installed `portal` pack (the folder `current.json` of the
/// pack store names, `<data>/packs/portal/v<N>-…/content`), if one is installed.
pub fn installed_content_dir(paths: &AppPaths) -> Option<PathBuf> {
    crate::packs::content_dir(
        &crate::packs::PackEnv::new(paths, None),
        crate::packs::Kind::Portal,
    )
}

/// Where the content to show comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentSource {
    /// The default content compiled into the binary.
    Bundled,
    /// An installed `portal` pack, or a folder named by the caller.
    Folder(PathBuf),
}

/// The content folder to use: the installed pack's folder if it exists, else the bundled
/// content. `paths` is `None` when no home folder is known.
pub fn content_source(paths: Option<&AppPaths>) -> ContentSource {
    match paths.and_then(installed_content_dir) {
        Some(dir) if dir.is_dir() => ContentSource::Folder(dir),
        _ => ContentSource::Bundled,
    }
}

/// A loaded portal and where it came from.
#[derive(Debug)]
pub struct LoadedPortal {
    /// The pages, news, self-assessment and search index.
    pub portal: Portal,
    /// Where the content was read from.
    pub source: ContentSource,
    /// Set when the installed content could not be read and the bundled content is shown
    /// instead: the reason, for the log and for an "update failed" notice.
    pub fallback: Option<String>,
}

/// Loads the content from `source`. An installed folder that cannot be loaded falls back to
/// the bundled content (with `fallback` set), so the portal is never empty.
pub fn load(source: ContentSource) -> Result<LoadedPortal, PortalError> {
    match source {
        ContentSource::Bundled => Ok(LoadedPortal {
            portal: Portal::bundled()?,
            source: ContentSource::Bundled,
            fallback: None,
        }),
        ContentSource::Folder(dir) => match Portal::load_dir(&dir) {
            Ok(portal) => Ok(LoadedPortal {
                portal,
                source: ContentSource::Folder(dir),
                fallback: None,
            }),
            Err(err) => {
                tracing::warn!(folder = %dir.display(), error = %err, "installed portal content unreadable, using the bundled content");
                Ok(LoadedPortal {
                    portal: Portal::bundled()?,
                    source: ContentSource::Bundled,
                    fallback: Some(err.message(Lang::It)),
                })
            }
        },
    }
}

/// Loads a folder strictly (no fallback): for checking content before it is signed.
pub fn load_folder_strict(dir: &Path) -> Result<Portal, PortalError> {
    Portal::load_dir(dir)
}

/// What the portal's home shows about the content: version, date and origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentStatus {
    /// Version and date, when the content says.
    pub info: Option<ContentInfo>,
    /// `true` for the default content compiled into the app.
    pub bundled: bool,
    /// Why the installed content is not shown, if it is not.
    pub fallback: Option<String>,
    /// Number of pages.
    pub pages: usize,
}

impl LoadedPortal {
    /// Version, date and origin of the content shown.
    pub fn status(&self) -> ContentStatus {
        ContentStatus {
            info: self.portal.info().cloned(),
            bundled: self.source == ContentSource::Bundled,
            fallback: self.fallback.clone(),
            pages: self.portal.pages().len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(data: &Path) -> AppPaths {
        AppPaths {
            data: data.to_path_buf(),
            config: data.join("config"),
            cache: data.join("cache"),
            logs: data.join("logs"),
        }
    }

    #[test]
    fn content_source_without_installed_pack_is_bundled() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            content_source(Some(&paths(dir.path()))),
            ContentSource::Bundled
        );
        assert_eq!(content_source(None), ContentSource::Bundled);
    }

    #[test]
    fn content_source_with_installed_pack_is_its_live_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        let kind_dir = dir.path().join("packs/portal");
        let live = kind_dir.join("v2-abc/content");
        std::fs::create_dir_all(&live).unwrap();
        std::fs::write(
            kind_dir.join("current.json"),
            r#"{"kind":"portal","version":2,"created":"2026-11-20T10:00:00Z",
               "installed_at":"2026-11-26T10:00:00Z","min_app_version":"0.1.0",
               "key_id":"AB","archive_sha256":"00","files":1,"dir":"v2-abc","previous":null}"#,
        )
        .unwrap();
        assert_eq!(content_source(Some(&p)), ContentSource::Folder(live));
    }

    #[test]
    fn load_bundled_reports_version_and_origin() {
        let loaded = load(ContentSource::Bundled).unwrap();
        let status = loaded.status();
        assert!(status.bundled);
        assert!(status.info.is_some());
        assert!(status.pages > 10);
    }
}

/// The self-assessment result kept on this computer only, with when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StoredAssessment {
    /// When the questionnaire was submitted, RFC 3339 UTC.
    pub taken_at: String,
    /// The scored result.
    pub result: AssessmentResult,
}

/// File name of the stored self-assessment result in the user's data folder.
pub const ASSESSMENT_RESULT_FILE: &str = "autovalutazione-risultato.json";

fn assessment_path(paths: &AppPaths) -> PathBuf {
    paths.data.join(ASSESSMENT_RESULT_FILE)
}

/// The stored result, if the user took the self-assessment on this computer. A damaged
/// file reads as none (the next submission replaces it).
pub fn load_assessment_result(paths: &AppPaths) -> Option<StoredAssessment> {
    let bytes = std::fs::read(assessment_path(paths)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps the result in the user's data folder (written whole, then renamed into place).
/// Nothing is sent anywhere.
pub fn save_assessment_result(
    paths: &AppPaths,
    stored: &StoredAssessment,
) -> Result<(), crate::ApiError> {
    let path = assessment_path(paths);
    let io = |source| crate::ApiError::Io {
        path: path.clone(),
        source,
    };
    crate::json_file::write_atomic(&path, stored).map_err(io)
}

/// Deletes the stored result; no result stored is not an error.
pub fn forget_assessment_result(paths: &AppPaths) -> Result<(), crate::ApiError> {
    match std::fs::remove_file(assessment_path(paths)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(crate::ApiError::Io {
            path: assessment_path(paths),
            source,
        }),
    }
}

#[cfg(test)]
mod assessment_store_tests {
    use super::*;

    fn paths(dir: &Path) -> AppPaths {
        AppPaths {
            data: dir.join("data"),
            config: dir.join("config"),
            cache: dir.join("cache"),
            logs: dir.join("logs"),
        }
    }

    #[test]
    fn assessment_result_saved_read_back_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        assert!(load_assessment_result(&p).is_none());
        let loaded = load(ContentSource::Bundled).unwrap();
        let assessment = loaded.portal.assessment().unwrap();
        let result = assessment.score(&[]).unwrap();
        let stored = StoredAssessment {
            taken_at: "2026-11-26T10:00:00Z".into(),
            result,
        };
        save_assessment_result(&p, &stored).unwrap();
        assert_eq!(load_assessment_result(&p), Some(stored));
        forget_assessment_result(&p).unwrap();
        assert!(load_assessment_result(&p).is_none());
        forget_assessment_result(&p).unwrap();
    }
}
