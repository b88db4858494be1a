//! OpenVPN's line tokeniser on untrusted bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = lavoro_agile_vpn::fuzzing::tokenize(data);
});
