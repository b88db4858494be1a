//! A VPN profile (OpenVPN or WireGuard) from untrusted bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = lavoro_agile_vpn::fuzzing::check_profile(data);
});
