//! The build plan: what to build and how, from the spec and the Dockerfile, before any I/O.
//! [`BuildRequest`] is one build; [`needs_buildkit`] says what only BuildKit builds right.

use std::collections::BTreeMap;

use crate::context::BuildContext;
use crate::facts::build::Builder;

/// What to build.
#[derive(Clone, Copy)]
pub struct BuildRequest<'a> {
    pub context: &'a BuildContext,
    pub dockerfile: &'a str,
    pub tag: &'a str,
    pub target: Option<&'a str>,
    pub args: &'a BTreeMap<String, String>,
    pub pull: bool,
    pub builder: Builder,
    /// Stop the build as soon as the step with this name (as the main build reported it) is
    /// known to be cached or to be running: the cache probe needs nothing more, and the rest
    /// may take minutes.
    pub stop_at: Option<&'a str>,
    /// What in the Dockerfile only BuildKit builds right, said for a learner ("a heredoc
    /// (Dockerfile:11)"): `Auto` must not fall back to the classic builder, which runs
    /// `RUN <<EOF` as an empty script and reports success, and rejects BuildKit-only flags.
    pub needs_buildkit: Option<&'a str>,
}
