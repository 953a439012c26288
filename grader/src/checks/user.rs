//! `user`: the final image does not run as root.
//!
//! `""`, `root`, `0`, `0:0`, `root:root` are root; a name is resolved through the image's own
//! /etc/passwd; a user inherited from the base image counts (it is in the image config). A USER
//! in an earlier stage proves nothing, because only the image config is read.

use super::{Cx, Finding};
use crate::facts::Facts;
use workbook::spec::UserCheck;

/// Who the image runs as, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsAs {
    Root(String),
    User {
        name: String,
        uid: u64,
    },
    /// A name that the image's /etc/passwd does not define: the container cannot start.
    Unknown(String),
}

pub fn resolve(user: &str, passwd: Option<&str>) -> RunsAs {
    let who = user.split(':').next().unwrap_or("").trim();
    if who.is_empty() {
        return RunsAs::Root("root (no USER set)".into());
    }
    if let Ok(uid) = who.parse::<u64>() {
        return if uid == 0 { RunsAs::Root(user.into()) } else { RunsAs::User { name: user.into(), uid } };
    }
    let entry = passwd.and_then(|p| {
        p.lines().find_map(|l| {
            let mut f = l.split(':');
            (f.next() == Some(who)).then(|| f.nth(1).and_then(|uid| uid.parse::<u64>().ok()))?
        })
    });
    match entry {
        Some(0) => RunsAs::Root(user.into()),
        Some(uid) => RunsAs::User { name: user.into(), uid },
        None if who == "root" => RunsAs::Root(user.into()),
        None => RunsAs::Unknown(user.into()),
    }
}

pub const NEEDS_IMAGE: bool = true;

/// A program the Dockerfile made setuid root (a regular file owned by UID 0 with the setuid bit,
/// in a layer of a RUN of the final stage that runs chmod): whoever runs it runs as root, whatever
/// USER says. The base image's own setuid programs (su, passwd) are not counted.
fn setuid_root_added(facts: &Facts) -> Option<Finding> {
    use crate::facts::image::EntryKind;
    use crate::locate::{layer_origins, Origin};
    let image = facts.image.as_ref()?;
    let df = facts.dockerfile.as_ref().ok()?;
    let origins = layer_origins(df, image, None);
    let (path, origin) = image.files.iter().find_map(|(p, e)| {
        let setuid_root = e.kind == EntryKind::File && e.uid == 0 && e.mode & 0o4000 != 0 && e.mode & 0o111 != 0;
        match origins.get(e.layer) {
            // Only a RUN that runs chmod: setuid programs copied from a distribution (su, chfn,
            // passwd from another stage's /usr) are the distribution's, not made by the learner.
            Some(Origin::Instruction(i)) if setuid_root && i.is("RUN") && i.text().contains("chmod") => Some((p, i)),
            _ => None,
        }
    })?;
    Some(Finding::fail(format!(
        "{path} is setuid root (made so by `{}`, {}:{}): any process of the image that runs it runs as root, \
         whatever USER says; do not set the setuid bit",
        crate::facts::build::squash(&origin.text()),
        facts.dockerfile_path,
        origin.lines.start
    )))
}

pub fn judge(spec: &UserCheck, cx: &Cx<'_>) -> Finding {
    check(spec, cx.facts)
}

pub fn check(spec: &UserCheck, facts: &Facts) -> Finding {
    let image = facts.image.as_ref().expect("judged only with an image");
    let line = facts.dockerfile.as_ref().ok().and_then(|df| {
        let last = df.final_stage()?;
        let user = last.instructions.iter().rev().find(|i| i.keyword == "USER").unwrap_or(last.from());
        Some(user.lines.start)
    });
    if let Some(f) = setuid_root_added(facts) {
        return f.at(line);
    }
    match resolve(&image.config.user, image.file_text("/etc/passwd")) {
        RunsAs::Root(who) => Finding::fail(format!("the image runs as {who}; a non-root user is wanted")).at(line),
        RunsAs::Unknown(who) => Finding::fail(format!(
            "the image runs as `{who}`, but its /etc/passwd has no such user (the container cannot start); \
             create the user in the final stage or use a numeric UID"
        ))
        .at(line),
        RunsAs::User { name, .. } if spec.numeric && !name.split(':').next().unwrap_or("").chars().all(|c| c.is_ascii_digit()) => {
            Finding::fail(format!(
                "the image runs as `{name}`, a name; a numeric UID is wanted (e.g. `USER 10001:10001`), which needs no /etc/passwd lookup and satisfies runAsNonRoot"
            ))
            .at(line)
        }
        RunsAs::User { name, uid } if name.split(':').next() == Some(uid.to_string().as_str()) => {
            Finding::pass(format!("the image runs as UID {uid}"))
        }
        RunsAs::User { name, uid } => Finding::pass(format!("the image runs as `{name}` (UID {uid})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\ntoor:x:0:0::/:/bin/sh\n";

    #[test]
    fn the_root_spellings_are_root() {
        for u in ["", "root", "0", "0:0", "root:root", "0:1000", "toor"] {
            assert!(matches!(resolve(u, Some(PASSWD)), RunsAs::Root(_)), "{u:?}");
        }
    }

    #[test]
    fn names_resolve_through_passwd_and_numbers_need_not() {
        assert_eq!(resolve("nonroot", Some(PASSWD)), RunsAs::User { name: "nonroot".into(), uid: 65532 });
        assert_eq!(resolve("65532:65532", None), RunsAs::User { name: "65532:65532".into(), uid: 65532 });
        assert_eq!(resolve("app", Some(PASSWD)), RunsAs::Unknown("app".into()));
        assert_eq!(resolve("root", None), RunsAs::Root("root".into()));
    }

    #[test]
    fn user_in_a_builder_stage_proves_nothing() {
        let df =
            "FROM golang:1-trixie AS build\nUSER nobody\nRUN true\nFROM debian:trixie-slim\nCOPY --from=build /x /x\n";
        let mut f = facts(df);
        f.image.as_mut().unwrap().config.user = String::new();
        let r = check(&UserCheck::default(), &f);
        assert!(!r.passed);
        assert_eq!(r.line, Some(4), "blames the final FROM, not the builder's USER");
    }

    #[test]
    fn inherited_nonroot_user_passes() {
        let mut f = facts(super::super::fixtures::SOLUTION);
        let image = f.image.as_mut().unwrap();
        image.config.user = "65532".into();
        let r = check(&UserCheck::default(), &f);
        assert!(r.passed && r.message == "the image runs as UID 65532", "{}", r.message);
    }

    #[test]
    fn a_program_made_setuid_root_by_the_dockerfile_fails() {
        // The adversarial set's ex10/cheat-user-setuid-python.
        let df = "FROM python:3.13-slim-trixie\nRUN chmod u+s /usr/local/bin/python3.13\nUSER 10001:10001\n";
        let mut f = with_files(
            facts(df),
            &[("base", 1), ("RUN /bin/sh -c chmod u+s /usr/local/bin/python3.13 # buildkit", 1)],
            &[("/usr/bin/su", 0), ("/usr/local/bin/python3.13", 1)],
        );
        let image = f.image.as_mut().unwrap();
        image.config.user = "10001:10001".into();
        for (p, e) in image.files.iter_mut() {
            e.mode = if p == "/usr/bin/su" { 0o4755 } else { 0o755 };
        }
        assert!(check(&UserCheck::default(), &f).passed, "the base image's su does not count");
        let mut copied = f.clone();
        copied.dockerfile = dockerfile::parse("FROM python:3.13-slim-trixie\nCOPY --from=build /usr /usr\nUSER 10001:10001\n").map_err(|e| e.to_string());
        copied.image.as_mut().unwrap().layers[1].created_by = "COPY --from=build /usr /usr # buildkit".into();
        copied.image.as_mut().unwrap().files.get_mut("/usr/bin/su").unwrap().layer = 1;
        assert!(check(&UserCheck::default(), &copied).passed, "a distribution's su copied from a stage does not count");
        f.image.as_mut().unwrap().files.get_mut("/usr/local/bin/python3.13").unwrap().mode = 0o4755;
        let r = check(&UserCheck::default(), &f);
        assert!(!r.passed && r.message.starts_with("/usr/local/bin/python3.13 is setuid root"), "{}", r.message);
        assert_eq!(r.line, Some(3));
    }

    #[test]
    fn numeric_uid_when_asked() {
        let mut f = facts(super::super::fixtures::SOLUTION);
        let image = f.image.as_mut().unwrap();
        image.config.user = "node".into();
        image.captured.insert("/etc/passwd".into(), "node:x:1000:1000::/home/node:/bin/sh\n".into());
        assert!(check(&UserCheck::default(), &f).passed);
        let r = check(&UserCheck { numeric: true }, &f);
        assert!(!r.passed && r.message.contains("a numeric UID is wanted"), "{}", r.message);
        f.image.as_mut().unwrap().config.user = "10001:10001".into();
        assert!(check(&UserCheck { numeric: true }, &f).passed);
    }
}
