//! The self-assessment questionnaire (JSON) of the portal content.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lavoro_agile_portal::fuzzing::parse_assessment(data);
});
