//! Every refusal rule of issue 3. Each test also tries to install, and checks that the
//! live content (portal v1) is untouched.

use lavoro_agile_packs::archive::Limits;
use lavoro_agile_packs::keys::KeyRing;
use lavoro_agile_packs::verify::{verify_pack, KeyPolicy};
use lavoro_agile_packs::{Kind, Lang, PackError, Refusal};
use tar::EntryType;

use crate::common::*;

/// Verifies and, if that passes, installs into a store holding v1; returns the refusal.
fn refuse(archive: &[u8], sig: Option<&str>, signer: &Signer, ring: &KeyRing) -> Refusal {
    let (_dir, store) = store_with_v1(signer, ring);
    let err = match check(archive, sig, ring) {
        Err(r) => r,
        Ok(pack) => match store.install(&pack, T0, &mut |_| {}) {
            Err(PackError::Refused(r)) => r,
            other => panic!("expected a refusal, got {other:?}"),
        },
    };
    assert_v1_untouched(&store);
    // Every refusal has a message in both languages.
    assert!(err.message(Lang::It).starts_with("Pacchetto rifiutato"));
    assert!(err.message(Lang::En).starts_with("Pack refused"));
    err
}

fn portal_v2() -> Vec<u8> {
    build(Kind::Portal, 2, &[("a.md", b"due")])
}

#[test]
fn signature_missing_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    assert_eq!(
        refuse(&portal_v2(), None, &s, &r),
        Refusal::SignatureMissing
    );
}

#[test]
fn signature_garbage_refused_as_invalid() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let err = refuse(&portal_v2(), Some("not a signature\n"), &s, &r);
    assert_eq!(err, Refusal::SignatureInvalid);
}

#[test]
fn archive_altered_after_signing_refused_as_invalid_signature() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let mut a = portal_v2();
    let sig = s.sign(&a);
    let last = a.len() - 1;
    a[last] ^= 1;
    assert_eq!(refuse(&a, Some(&sig), &s, &r), Refusal::SignatureInvalid);
}

#[test]
fn archive_truncated_after_signing_refused_as_invalid_signature_not_damage() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = portal_v2();
    let sig = s.sign(&a);
    let cut = &a[..a.len() / 2];
    assert_eq!(refuse(cut, Some(&sig), &s, &r), Refusal::SignatureInvalid);
}

#[test]
fn signature_of_other_pack_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let other = build(Kind::Portal, 2, &[("a.md", b"altro")]);
    let sig = s.sign(&other);
    assert_eq!(
        refuse(&portal_v2(), Some(&sig), &s, &r),
        Refusal::SignatureInvalid
    );
}

#[test]
fn unknown_key_refused() {
    let trusted = Signer::new();
    let stranger = Signer::new();
    let r = ring(&trusted, &[Kind::Portal]);
    let a = portal_v2();
    let err = refuse(&a, Some(&stranger.sign(&a)), &trusted, &r);
    assert_eq!(
        err,
        Refusal::UnknownKey {
            key_id: stranger.key.key_id.clone()
        }
    );
}

#[test]
fn portal_key_signing_trust_pack_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = build(Kind::Trust, 1, &[("tsl-it.xml", b"<x/>")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::KeyNotAllowed {
            key_id: s.key.key_id.clone(),
            kind: Kind::Trust
        }
    );
}

#[test]
fn equal_version_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = build(Kind::Portal, 1, &[("a.md", b"ancora uno")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::NotNewer {
            offered: 1,
            installed: 1
        }
    );
}

#[test]
fn older_version_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let (_dir, store) = store_with_v1(&s, &r);
    let v5 = build(Kind::Portal, 5, &[("a.md", b"cinque")]);
    store
        .install(
            &check(&v5, Some(&s.sign(&v5)), &r).unwrap(),
            T0,
            &mut |_| {},
        )
        .unwrap();
    let v4 = build(Kind::Portal, 4, &[("a.md", b"quattro")]);
    let err = store.install(
        &check(&v4, Some(&s.sign(&v4)), &r).unwrap(),
        T0,
        &mut |_| {},
    );
    assert!(matches!(
        err,
        Err(PackError::Refused(Refusal::NotNewer {
            offered: 4,
            installed: 5
        }))
    ));
    let content = store.content_dir(Kind::Portal).unwrap().unwrap();
    assert_eq!(read(&content.join("a.md")), b"cinque");
}

#[test]
fn app_too_old_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = build_with(Kind::Portal, 2, "99.0.0", &[("a.md", b"due")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert!(matches!(err, Refusal::AppTooOld { .. }), "{err:?}");
}

#[test]
fn hash_mismatch_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    let a = raw_pack(&m, &[file("a.md", b"DUE")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::HashMismatch {
            path: "a.md".into()
        }
    );
}

#[test]
fn size_mismatch_refused_as_hash_mismatch() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let mut m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    m.files[0].size = 4;
    let a = raw_pack(&m, &[file("a.md", b"due")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::HashMismatch {
            path: "a.md".into()
        }
    );
}

#[test]
fn listed_file_missing_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due"), ("b.md", b"tre")]);
    let a = raw_pack(&m, &[file("a.md", b"due")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::FileMissing {
            path: "b.md".into()
        }
    );
}

#[test]
fn unlisted_extra_file_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    let a = raw_pack(&m, &[file("a.md", b"due"), file("extra.sh", b"rm -rf")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::ExtraFile {
            path: "extra.sh".into()
        }
    );
}

fn refuse_entry(entry: Raw<'_>) -> Refusal {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    let a = raw_pack(&m, &[file("a.md", b"due"), entry]);
    refuse(&a, Some(&s.sign(&a)), &s, &r)
}

#[test]
fn dotdot_path_refused() {
    let err = refuse_entry(file("../evil.md", b"x"));
    assert!(matches!(err, Refusal::UnsafePath { .. }), "{err:?}");
    let err = refuse_entry(file("a/../../evil.md", b"x"));
    assert!(matches!(err, Refusal::UnsafePath { .. }), "{err:?}");
}

#[test]
fn absolute_path_refused() {
    let err = refuse_entry(file("/etc/cron.d/evil", b"x"));
    assert!(matches!(err, Refusal::UnsafePath { .. }), "{err:?}");
    let err = refuse_entry(file("C:/evil", b"x"));
    assert!(matches!(err, Refusal::UnsafePath { .. }), "{err:?}");
}

#[test]
fn backslash_path_refused() {
    let err = refuse_entry(file("..\\evil.md", b"x"));
    assert!(matches!(err, Refusal::UnsafePath { .. }), "{err:?}");
}

#[test]
fn symlink_refused() {
    let err = refuse_entry(Raw {
        path: b"link",
        kind: EntryType::Symlink,
        data: b"",
        link: Some(b"/etc/passwd"),
    });
    assert_eq!(
        err,
        Refusal::NotPlainFile {
            path: "link".into()
        }
    );
}

#[test]
fn hard_link_refused() {
    let err = refuse_entry(Raw {
        path: b"hard",
        kind: EntryType::Link,
        data: b"",
        link: Some(b"a.md"),
    });
    assert_eq!(
        err,
        Refusal::NotPlainFile {
            path: "hard".into()
        }
    );
}

#[test]
fn device_files_and_fifo_refused() {
    for kind in [EntryType::Char, EntryType::Block, EntryType::Fifo] {
        let err = refuse_entry(Raw {
            path: b"dev",
            kind,
            data: b"",
            link: None,
        });
        assert_eq!(
            err,
            Refusal::NotPlainFile { path: "dev".into() },
            "{kind:?}"
        );
    }
}

#[test]
fn manifest_listing_escaping_path_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("../a.md", b"due")]);
    let a = raw_pack(&m, &[]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert!(matches!(err, Refusal::UnsafePath { .. }), "{err:?}");
}

#[test]
fn duplicate_path_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    let a = raw_pack(&m, &[file("a.md", b"due"), file("a.md", b"due")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::DuplicatePath {
            path: "a.md".into()
        }
    );
}

#[test]
fn duplicate_path_differing_in_case_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due"), ("A.md", b"due")]);
    let a = raw_pack(&m, &[file("a.md", b"due"), file("A.md", b"due")]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert!(matches!(err, Refusal::DuplicatePath { .. }), "{err:?}");
}

#[test]
fn manifest_not_first_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    let json = m.to_json();
    let a = raw_tar(&[file("a.md", b"due"), file("lavoro-pack.json", &json)]);
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert!(matches!(err, Refusal::ManifestInvalid { .. }), "{err:?}");
}

#[test]
fn damaged_archive_with_good_signature_refused_as_damaged() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = portal_v2();
    let cut = a[..700].to_vec();
    let err = refuse(&cut, Some(&s.sign(&cut)), &s, &r);
    assert!(matches!(err, Refusal::ArchiveDamaged { .. }), "{err:?}");
}

#[test]
fn archive_over_size_limit_refused_before_signature_check() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = portal_v2();
    let limits = Limits {
        max_archive_bytes: a.len() as u64 - 1,
        ..Limits::default()
    };
    let err = check_limits(&a, None, &r, &limits).unwrap_err();
    assert!(matches!(err, Refusal::TooLarge { .. }), "{err:?}");
}

#[test]
fn file_over_size_limit_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let big = vec![b'x'; 5000];
    let a = build(Kind::Portal, 2, &[("big.bin", &big)]);
    let limits = Limits {
        max_file_bytes: 4096,
        ..Limits::default()
    };
    let err = check_limits(&a, Some(&s.sign(&a)), &r, &limits).unwrap_err();
    assert_eq!(
        err,
        Refusal::TooLarge {
            what: "file big.bin".into()
        }
    );
}

#[test]
fn total_over_size_limit_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let part = vec![b'x'; 3000];
    let a = build(Kind::Portal, 2, &[("a.bin", &part), ("b.bin", &part)]);
    let limits = Limits {
        max_total_bytes: 5000,
        ..Limits::default()
    };
    let err = check_limits(&a, Some(&s.sign(&a)), &r, &limits).unwrap_err();
    assert!(matches!(err, Refusal::TooLarge { .. }), "{err:?}");
}

#[test]
fn too_many_files_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let names: Vec<String> = (0..20).map(|i| format!("f{i}.md")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let a = build(Kind::Portal, 2, &files);
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let err = check_limits(&a, Some(&s.sign(&a)), &r, &limits).unwrap_err();
    assert_eq!(err, Refusal::TooManyFiles { limit: 10 });
}

#[test]
fn pubkey_policy_other_key_refused_as_unknown() {
    let s = Signer::new();
    let other = Signer::new();
    let a = portal_v2();
    let err = verify_pack(
        &a,
        Some(&s.sign(&a)),
        KeyPolicy::Only(&other.key.public_key),
        APP,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Refusal::UnknownKey { .. }));
}

#[test]
fn pax_header_path_escaping_refused() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let m = manifest_for(Kind::Portal, 2, &[("a.md", b"due")]);
    let mut b = tar::Builder::new(Vec::new());
    let json = m.to_json();
    for (name, data) in [("lavoro-pack.json", &json[..]), ("a.md", &b"due"[..])] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }
    // A PAX extended header renames the next, innocent-looking entry.
    b.append_pax_extensions([("path", &b"../../evil.sh"[..])])
        .unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "benign.md", &b"x"[..]).unwrap();
    let a = b.into_inner().unwrap();
    let err = refuse(&a, Some(&s.sign(&a)), &s, &r);
    assert_eq!(
        err,
        Refusal::UnsafePath {
            path: "../../evil.sh".into()
        }
    );
}

#[cfg(unix)]
#[test]
fn build_source_with_symlink_refused() {
    use lavoro_agile_packs::build::{build_pack, BuildOptions};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "a").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
    let err = build_pack(
        dir.path(),
        &BuildOptions {
            kind: Kind::Portal,
            version: 1,
            created: T0,
            min_app_version: APP,
        },
        &Limits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, PackError::Refused(Refusal::NotPlainFile { .. })),
        "{err:?}"
    );
}
