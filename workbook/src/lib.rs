//! The workbook on disk, shared by the grader and the book's preprocessor: the exercise spec
//! format ([`spec`], `exercise.toml`), an exercise folder ([`Exercise`]) and the workbook root
//! that holds them ([`Workbook`]). Reading files only: no engine, no network.

pub mod advice;
pub mod exercise;
pub mod spec;
mod workbook;

pub use advice::{advice, Advice};
pub use exercise::Exercise;
pub use workbook::{exercise_ids, natural_key, Workbook};
