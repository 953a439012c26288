//! mdBook preprocessor rendering exercise rubrics from exercise.toml (work in progress).
