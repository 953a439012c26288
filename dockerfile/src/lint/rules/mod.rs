//! The rule checks, grouped by what they look at. Each check is a `fn(&Context, &mut
//! Vec<Finding>)` registered in `registry.rs`; helpers shared by several live here.

pub(crate) mod apt;
pub(crate) mod cache;
pub(crate) mod image;
pub(crate) mod instructions;
pub(crate) mod stages;

use crate::ast::{Instruction, Stage};

/// An image reference split into its parts: `registry/path/name`, tag and digest.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// Everything before the tag or digest.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(s: &'a str) -> Self {
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (s, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        ImageRef { repository, tag, digest }
    }

    /// The last path component: `golang` for `docker.io/library/golang`.
    pub fn name(&self) -> &'a str {
        self.repository.rsplit('/').next().unwrap_or(self.repository)
    }
}

/// The instructions after the FROM.
pub(crate) fn body(stage: &Stage) -> &[Instruction] {
    stage.instructions.get(1..).unwrap_or(&[])
}

/// The `key=value` fields of each `--mount` flag.
pub(crate) fn mounts(ins: &Instruction) -> Vec<Vec<(String, String)>> {
    ins.mounts()
}

/// The value of `key` in one mount's fields.
pub(crate) fn field<'a>(mount: &'a [(String, String)], key: &str) -> Option<&'a str> {
    mount.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The targets of the RUN's cache mounts.
pub(crate) fn cache_mount_targets(ins: &Instruction) -> Vec<String> {
    mounts(ins)
        .iter()
        .filter(|m| field(m, "type") == Some("cache"))
        .map(|m| {
            field(m, "target").or_else(|| field(m, "dst")).or_else(|| field(m, "destination")).unwrap_or("").to_string()
        })
        .collect()
}

/// COPY/ADD sources (everything but the destination), heredoc names excluded.
pub(crate) fn sources(ins: &Instruction) -> Vec<String> {
    let mut args = ins.arg_list();
    args.pop();
    args.retain(|a| !a.starts_with("<<"));
    args
}

/// A word quoted for messages: `` `word` ``.
pub(crate) fn code(s: &str) -> String {
    format!("`{s}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("golang:1.24-trixie");
        assert_eq!((r.repository, r.tag, r.digest), ("golang", Some("1.24-trixie"), None));
        let r = ImageRef::parse("localhost:5000/team/app");
        assert_eq!((r.repository, r.tag), ("localhost:5000/team/app", None));
        assert_eq!(r.name(), "app");
        let r = ImageRef::parse("alpine@sha256:abc");
        assert_eq!((r.repository, r.tag, r.digest), ("alpine", None, Some("sha256:abc")));
        let r = ImageRef::parse("gcr.io/distroless/static-debian12:nonroot@sha256:abc");
        assert_eq!(r.tag, Some("nonroot"));
    }
}
