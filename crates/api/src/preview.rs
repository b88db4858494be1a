//! Text previews of PDFs for the desktop app, produced in a limited child process (see the
//! `lavoro-agile-preview` crate): the app calls [`child_main`] first thing in `main` and
//! [`preview_pdf`] with its own executable to get a preview.
#[doc(hidden)]
pub use lavoro_agile_preview::testing;
pub use lavoro_agile_preview::{
    child_main, preview_pdf, ChildLimits, LimitError, PreviewError, CHILD_FLAG, PREVIEW_WALL,
};
