//! Property tests for path handling: whatever a pack names, an accepted path stays inside
//! the folder it is joined to.

use std::path::{Component, Path};

use lavoro_agile_packs::path::PackPath;
use proptest::prelude::*;

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just(String::new()),
        Just("C:".to_owned()),
        Just("con".to_owned()),
        "[a-zA-Z0-9_.\\-àè ]{1,12}",
        "\\PC{1,6}",
        any::<String>(),
    ]
}

fn path_like() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(segment(), 1..6),
        prop::sample::select(vec!["/", "\\", "//"]),
        any::<bool>(),
    )
        .prop_map(|(segs, sep, lead)| {
            let p = segs.join(sep);
            if lead {
                format!("/{p}")
            } else {
                p
            }
        })
}

proptest! {
    #[test]
    fn accepted_path_stays_under_base(s in path_like()) {
        if let Some(p) = PackPath::parse(&s) {
            let base = Path::new("/base/folder");
            let joined = p.under(base);
            prop_assert!(joined.starts_with(base));
            prop_assert!(joined.components().skip(3).all(|c| matches!(c, Component::Normal(_))));
            prop_assert!(!s.starts_with('/'));
            prop_assert!(!s.contains('\\'));
            prop_assert!(!s.split('/').any(|c| c == ".." || c == "." || c.is_empty()));
        }
    }

    #[test]
    fn any_bytes_never_panic_and_escape_refused(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(p) = PackPath::from_bytes(&bytes) {
            prop_assert!(!p.as_str().split('/').any(|c| c == ".."));
        }
    }

    #[test]
    fn plain_names_accepted(segs in prop::collection::vec("[a-z0-9][a-z0-9_\\-]{0,10}(\\.[a-z]{1,4})?", 1..8)) {
        let s = segs.join("/");
        // Windows device names are the only plain names refused.
        let device = segs.iter().any(|c| {
            let stem = c.split('.').next().unwrap_or_default();
            ["con", "prn", "aux", "nul"].contains(&stem)
                || (stem.len() == 4 && (stem.starts_with("com") || stem.starts_with("lpt")) && stem.as_bytes()[3].is_ascii_digit() && stem.as_bytes()[3] != b'0')
        });
        prop_assert_eq!(PackPath::parse(&s).is_some(), !device);
    }
}
