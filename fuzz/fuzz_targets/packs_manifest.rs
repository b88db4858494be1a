//! A pack manifest (JSON) from untrusted bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = lavoro_agile_packs::fuzzing::manifest(data);
});
