#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lavoro_agile_pades::fuzzing::read_dss(data);
});
