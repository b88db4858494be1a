//! A pack archive (tar + manifest) from untrusted bytes, checked without a signature.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = lavoro_agile_packs::fuzzing::archive(data);
});
