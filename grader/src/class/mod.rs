//! Grading a class: a roster of submissions (student folders or git checkouts), each graded for
//! the chosen exercises against the instructor's specs, spread over a pool of engines, written to
//! a gradebook. The pipeline itself is the one `grader check` runs (`commands::grade`); this
//! module holds what is particular to a class: the roster, the engine pool, the fingerprint that
//! makes a re-run resumable, and the gradebook's records and renderers (pure).

pub mod fingerprint;
pub mod gradebook;
pub mod pool;
pub mod roster;
pub mod summary;
