//! Where to find a PKCS#11 module: the path the user configured, else the usual paths of
//! the middleware Italian cards ship with (`data/modules.txt`, kept as data so that IT can
//! read and extend the list without reading code).

use std::path::{Path, PathBuf};

/// The list of usual module paths, one `os<TAB>vendor<TAB>path` per line.
pub const KNOWN_MODULES: &str = include_str!("../data/modules.txt");

/// The operating system a known path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Os {
    /// Linux.
    Linux,
    /// Windows.
    Windows,
    /// macOS.
    MacOs,
}

impl Os {
    /// The system this program was built for, if it is one of the three.
    pub fn current() -> Option<Self> {
        if cfg!(target_os = "linux") {
            Some(Self::Linux)
        } else if cfg!(target_os = "windows") {
            Some(Self::Windows)
        } else if cfg!(target_os = "macos") {
            Some(Self::MacOs)
        } else {
            None
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "linux" => Some(Self::Linux),
            "windows" => Some(Self::Windows),
            "macos" => Some(Self::MacOs),
            _ => None,
        }
    }
}

/// One known module path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownModule {
    /// The system it is installed on.
    pub os: Os,
    /// Who makes the middleware ("OpenSC", "Bit4id", "CIE", ...).
    pub vendor: String,
    /// The path of the module.
    pub path: PathBuf,
}

/// Every known path, in probing order.
pub fn known_modules() -> Vec<KnownModule> {
    KNOWN_MODULES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let os = Os::parse(f.next()?)?;
            let vendor = f.next()?.to_owned();
            let path = PathBuf::from(f.next()?);
            Some(KnownModule { os, vendor, path })
        })
        .collect()
}

/// The known paths for one system.
pub fn candidates(os: Os) -> Vec<KnownModule> {
    known_modules().into_iter().filter(|m| m.os == os).collect()
}

/// The modules installed here: the configured path first (when it exists), then each known
/// path for this system that exists. `exists` is a parameter so tests can probe a fake
/// file system.
pub fn discover(
    configured: Option<&Path>,
    os: Option<Os>,
    exists: &dyn Fn(&Path) -> bool,
) -> Vec<KnownModule> {
    let mut found = Vec::new();
    if let Some(p) = configured {
        if exists(p) {
            found.push(KnownModule {
                os: os.unwrap_or(Os::Linux),
                vendor: "configurato".to_owned(),
                path: p.to_path_buf(),
            });
        }
    }
    if let Some(os) = os {
        for m in candidates(os) {
            if exists(&m.path) && !found.iter().any(|f| f.path == m.path) {
                found.push(m);
            }
        }
    }
    found
}

/// The modules installed on this machine (see [`discover`]).
pub fn discover_here(configured: Option<&Path>) -> Vec<KnownModule> {
    discover(configured, Os::current(), &|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_modules_cover_every_vendor_on_every_os() {
        for os in [Os::Linux, Os::Windows, Os::MacOs] {
            let c = candidates(os);
            for vendor in ["OpenSC", "Bit4id", "Athena/ASE", "IDEMIA/Oberthur", "CIE"] {
                assert!(
                    c.iter().any(|m| m.vendor == vendor),
                    "{vendor} missing for {os:?}"
                );
            }
        }
    }

    #[test]
    fn discover_configured_first_then_known_in_order() {
        let present = [
            PathBuf::from("/usr/lib/libbit4xpki.so"),
            PathBuf::from("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
            PathBuf::from("/opt/token/lib.so"),
        ];
        let exists = |p: &Path| present.iter().any(|x| x == p);
        let found = discover(
            Some(Path::new("/opt/token/lib.so")),
            Some(Os::Linux),
            &exists,
        );
        let paths: Vec<_> = found.iter().map(|m| m.path.clone()).collect();
        assert_eq!(
            paths,
            [
                PathBuf::from("/opt/token/lib.so"),
                PathBuf::from("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
                PathBuf::from("/usr/lib/libbit4xpki.so"),
            ]
        );
    }

    #[test]
    fn discover_missing_configured_is_skipped() {
        let found = discover(Some(Path::new("/nope.so")), Some(Os::Windows), &|_| false);
        assert!(found.is_empty());
    }
}
