//! Integration tests of the `packs` crate. Modules:
//! - `refusals`: every refusal rule of issue 3, with the installed content untouched;
//! - `install`: atomic switch, keep-last-good, anti-rollback, leftovers of a killed install;
//! - `keys`: key-scope files, rotation, IT's extra keys;
//! - `paths`: property tests for path handling;
//! - `compat`: signatures made by the reference minisign tool;
//! - `random`: fuzz-style random and mutated archives, and the fuzz corpus replay.
// Test helpers outside #[test] functions may unwrap and index too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

mod compat;

mod install;
mod keys;
mod paths;
mod random;
mod refusals;
