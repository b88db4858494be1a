//! Front matter, Markdown rendering and indexing of one portal page.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lavoro_agile_portal::fuzzing::parse_page(data);
});
