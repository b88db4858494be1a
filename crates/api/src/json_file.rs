//! Writing the app's own small JSON files so that a crash leaves either the old or the new
//! file, never half of one.
use std::io::Write;
use std::path::Path;

use serde::Serialize;

/// Serialises `value` as pretty JSON into `path`: creates the parent folder, writes a
/// temporary file beside it, syncs it, then renames it over `path`.
pub(crate) fn write_atomic<T: Serialize + ?Sized>(path: &Path, value: &T) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp_name);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
