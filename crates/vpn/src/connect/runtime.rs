//! A private folder for one connection's files (the materialised profile, the management
//! socket), readable by the user only and removed when the connection ends.
use std::path::{Path, PathBuf};

use crate::connect::ConnectError;

/// A private (0700) folder removed, with everything in it, when dropped.
#[derive(Debug)]
pub struct RuntimeDir {
    dir: tempfile::TempDir,
}

impl RuntimeDir {
    /// Makes a new private folder inside `parent`.
    pub fn new(parent: &Path) -> Result<Self, ConnectError> {
        let io = |source| ConnectError::Io {
            path: parent.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(parent).map_err(io)?;
        let dir = tempfile::Builder::new()
            .prefix("lavoro-agile-vpn-")
            .tempdir_in(parent)
            .map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
                .map_err(io)?;
        }
        Ok(Self { dir })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to `name` in the folder, readable by the user only.
    pub fn write_private(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, ConnectError> {
        use std::io::Write;
        let path = self.dir.path().join(name);
        let io = |source| ConnectError::Io {
            path: path.clone(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(io)?;
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(path)
    }
}

/// The effective user id of this process, read from `/proc/self/status` (Linux).
pub(crate) fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    // Uid: real effective saved filesystem
    line.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_dir_is_private_and_removed_on_drop() {
        let parent = tempfile::tempdir().unwrap();
        let dir = RuntimeDir::new(parent.path()).unwrap();
        let file = dir.write_private("p.ovpn", b"client\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
    }
}
