//! Lint output formats, one pure function each: findings (and for JSON the parsed stages) in,
//! a `String` out. `path` is the Dockerfile's path as it should appear in the output.

pub mod github;
mod json;
mod sarif;
mod text;

pub use github::github;
pub use json::json;
pub use sarif::sarif;
pub use text::text;
