//! Installing: the switch, keep-last-good, and what a killed install leaves behind.

use lavoro_agile_packs::store::{InstallStage, Store};
use lavoro_agile_packs::Kind;

use crate::common::*;

#[test]
fn install_good_pack_content_live_and_status_updated() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    assert!(store.installed(Kind::Portal).unwrap().is_none());
    let a = build(
        Kind::Portal,
        7,
        &[("circolari/2026/smart.md", b"# Smart"), ("index.md", b"i")],
    );
    let pack = check(&a, Some(&s.sign(&a)), &r).unwrap();
    let mut stages = Vec::new();
    let inst = store.install(&pack, T0, &mut |st| stages.push(st)).unwrap();
    assert_eq!(inst.version, 7);
    assert_eq!(inst.key_id, s.key.key_id);
    assert_eq!(stages.first(), Some(&InstallStage::Staging));
    assert_eq!(stages.last(), Some(&InstallStage::Switched));
    let content = store.content_dir(Kind::Portal).unwrap().unwrap();
    assert_eq!(read(&content.join("circolari/2026/smart.md")), b"# Smart");
    assert_eq!(store.installed(Kind::Portal).unwrap().unwrap(), inst);
}

#[test]
fn install_newer_keeps_previous_as_last_good_and_drops_older() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let (_d, store) = store_with_v1(&s, &r);
    let v1_dir = store.installed(Kind::Portal).unwrap().unwrap().dir;
    let v2 = build(Kind::Portal, 2, &[("a.md", b"due")]);
    let inst2 = store
        .install(
            &check(&v2, Some(&s.sign(&v2)), &r).unwrap(),
            T0,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(inst2.previous.as_ref().unwrap().dir, v1_dir);
    assert!(store.root().join("portal").join(&v1_dir).is_dir());
    let v3 = build(Kind::Portal, 3, &[("a.md", b"tre")]);
    let inst3 = store
        .install(
            &check(&v3, Some(&s.sign(&v3)), &r).unwrap(),
            T0,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(inst3.previous.as_ref().unwrap().version, 2);
    assert!(!store.root().join("portal").join(&v1_dir).exists());
    assert!(store.root().join("portal").join(&inst2.dir).is_dir());
}

#[test]
fn install_kinds_independent() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal, Kind::Profiles]);
    let (_d, store) = store_with_v1(&s, &r);
    let p = build(Kind::Profiles, 1, &[("ufficio.ovpn", b"client\n")]);
    store
        .install(&check(&p, Some(&s.sign(&p)), &r).unwrap(), T0, &mut |_| {})
        .unwrap();
    assert_v1_untouched(&store);
    assert_eq!(store.installed(Kind::Profiles).unwrap().unwrap().version, 1);
}

#[test]
fn install_interrupted_leftovers_do_not_change_live_content_and_are_cleaned() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let (_d, store) = store_with_v1(&s, &r);
    let kind_dir = store.root().join("portal");
    // What a killed install can leave: a half-written staging folder, a complete but
    // never-switched version folder, a temporary pointer.
    std::fs::create_dir_all(kind_dir.join(".staging-99999/content")).unwrap();
    std::fs::write(kind_dir.join(".staging-99999/content/a.md"), b"mezzo").unwrap();
    std::fs::create_dir_all(kind_dir.join("v2-0000000000000000/content")).unwrap();
    std::fs::write(kind_dir.join("current.json.tmp"), b"{garbage").unwrap();
    assert_v1_untouched(&store);
    let v2 = build(Kind::Portal, 2, &[("a.md", b"due")]);
    store
        .install(
            &check(&v2, Some(&s.sign(&v2)), &r).unwrap(),
            T0,
            &mut |_| {},
        )
        .unwrap();
    assert!(!kind_dir.join(".staging-99999").exists());
    assert!(!kind_dir.join("v2-0000000000000000").exists());
    let content = store.content_dir(Kind::Portal).unwrap().unwrap();
    assert_eq!(read(&content.join("a.md")), b"due");
}

#[test]
fn installed_pointer_with_escaping_dir_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    std::fs::create_dir_all(dir.path().join("portal")).unwrap();
    let bad = r#"{"kind":"portal","version":1,"created":"x","installed_at":"x","min_app_version":"0.1.0","key_id":"K","archive_sha256":"0","files":0,"dir":"../../etc","previous":null}"#;
    std::fs::write(dir.path().join("portal/current.json"), bad).unwrap();
    assert!(store.content_dir(Kind::Portal).is_err());
}

#[test]
fn clean_leftovers_removes_interrupted_install_keeps_live_and_previous() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let (_d, store) = store_with_v1(&s, &r);
    let v2 = build(Kind::Portal, 2, &[("a.md", b"due")]);
    store
        .install(
            &check(&v2, Some(&s.sign(&v2)), &r).unwrap(),
            T0,
            &mut |_| {},
        )
        .unwrap();
    let kind_dir = store.root().join("portal");
    std::fs::create_dir_all(kind_dir.join(".staging-4242/content")).unwrap();
    std::fs::create_dir_all(kind_dir.join("v3-abcdef0123456789")).unwrap();
    std::fs::write(kind_dir.join("current.json.tmp"), b"{").unwrap();
    assert_eq!(store.clean_leftovers(), 3);
    let inst = store.installed(Kind::Portal).unwrap().unwrap();
    assert!(kind_dir.join(&inst.dir).is_dir());
    assert!(kind_dir.join(&inst.previous.unwrap().dir).is_dir());
    assert_eq!(store.clean_leftovers(), 0);
}

#[test]
fn concurrent_installs_serialized_newest_wins() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let dir = tempfile::tempdir().unwrap();
    let archives: Vec<(Vec<u8>, String)> = (1..=6u64)
        .map(|v| {
            let a = build(Kind::Portal, v, &[("a.md", format!("v{v}").as_bytes())]);
            let sig = s.sign(&a);
            (a, sig)
        })
        .collect();
    let packs: Vec<_> = archives
        .iter()
        .map(|(a, sig)| check(a, Some(sig), &r).unwrap())
        .collect();
    std::thread::scope(|scope| {
        for p in &packs {
            let store = Store::new(dir.path());
            scope.spawn(move || {
                // Older ones may be refused as not newer; none may fail otherwise.
                match store.install(p, T0, &mut |_| {}) {
                    Ok(_)
                    | Err(lavoro_agile_packs::PackError::Refused(
                        lavoro_agile_packs::Refusal::NotNewer { .. },
                    )) => {}
                    Err(e) => panic!("{e}"),
                }
            });
        }
    });
    let store = Store::new(dir.path());
    assert_eq!(store.installed(Kind::Portal).unwrap().unwrap().version, 6);
    let content = store.content_dir(Kind::Portal).unwrap().unwrap();
    assert_eq!(read(&content.join("a.md")), b"v6");
}
