//! The rule registry: every rule's id, name, severity, scope, documentation and check, in id
//! order. The book links here by `book` anchor; `grader explain GR003` prints `explanation`.

use super::rules::{apt, cache, image, instructions, stages};
use super::{ids, Rule, Scope, Severity};

/// Every lint rule, in id order.
pub fn rules() -> &'static [Rule] {
    RULES
}

static RULES: &[Rule] = &[
    Rule {
        id: ids::PIN_BASE_TAG.as_str(),
        name: "pin-base-tag",
        severity: Severity::Warning,
        scope: Scope::AllStages,
        summary: "A base image has no tag or uses `latest`.",
        explanation: r#"An image without a tag means `:latest`, and `latest` moves: the next
release of the base image silently changes your build, can break it, and makes two builds of the
same commit differ. Pin a version tag (or a digest). `scratch` and references to earlier stages
are exempt; ARG defaults are substituted before the check.

Bad:
```dockerfile
FROM python
FROM node:latest AS build
```

Good:
```dockerfile
FROM python:3.13-slim
FROM node:22-bookworm-slim AS build
```
"#,
        book: "security.md#pinning",
        check: image::pin_base_tag,
    },
    Rule {
        id: ids::APT_UPDATE_ALONE.as_str(),
        name: "apt-update-alone",
        severity: Severity::Warning,
        scope: Scope::AllStages,
        summary: "`apt-get update` runs in a RUN of its own.",
        explanation: r#"Each RUN is a cached layer. When `apt-get update` has its own RUN, that
layer is reused for months while the `apt-get install` line below it changes, so the install
runs against stale package lists and fails or installs old versions. Update and install in the
same RUN.

Bad:
```dockerfile
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
```

Good:
```dockerfile
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```
"#,
        book: "caching.md#apt-update",
        check: apt::update_alone,
    },
    Rule {
        id: ids::APT_LISTS_NOT_REMOVED.as_str(),
        name: "apt-lists-not-removed",
        severity: Severity::Warning,
        scope: Scope::FinalStage,
        summary: "The final stage installs with apt but leaves /var/lib/apt/lists in the layer.",
        explanation: r#"`apt-get update` downloads package lists (tens of MB) into
/var/lib/apt/lists. Files removed by a *later* RUN still exist in the earlier layer, so the
removal must happen in the same RUN as the install. Only the final stage matters: builder stages
do not ship. A cache mount on /var/lib/apt also keeps the lists out of the layer.

Bad:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
RUN rm -rf /var/lib/apt/lists/*
```

Good:
```dockerfile
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
```
"#,
        book: "size.md#apt-lists",
        check: apt::lists_not_removed,
    },
    Rule {
        id: ids::APT_NO_INSTALL_RECOMMENDS.as_str(),
        name: "apt-no-install-recommends",
        severity: Severity::Warning,
        scope: Scope::FinalStage,
        summary: "The final stage runs `apt-get install` without `--no-install-recommends`.",
        explanation: r#"By default apt also installs every *recommended* package, which often
doubles what lands in the image (documentation, extra tools, X libraries). In the runtime image
install only what the program needs.

Bad:
```dockerfile
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
```

Good:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```
"#,
        book: "size.md#no-install-recommends",
        check: apt::no_install_recommends,
    },
    Rule {
        id: ids::PIP_NO_CACHE_DIR.as_str(),
        name: "pip-no-cache-dir",
        severity: Severity::Warning,
        scope: Scope::FinalStage,
        summary: "`pip install` in the final stage keeps pip's download cache in the image.",
        explanation: r#"pip caches every wheel it downloads in ~/.cache/pip. In the runtime image
that cache is dead weight. Pass `--no-cache-dir` (or set `PIP_NO_CACHE_DIR=1`), or keep the
cache outside the image with a cache mount, which also speeds up rebuilds. Builder stages are
exempt: their files do not ship.

Bad:
```dockerfile
FROM python:3.13-slim
RUN pip install -r requirements.txt
```

Good:
```dockerfile
FROM python:3.13-slim
RUN pip install --no-cache-dir -r requirements.txt
# or
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```
"#,
        book: "size.md#package-caches",
        check: cache::pip_no_cache_dir,
    },
    Rule {
        id: ids::COPY_CONTEXT_BEFORE_DEPS.as_str(),
        name: "copy-context-before-deps",
        severity: Severity::Warning,
        scope: Scope::AllStages,
        summary: "Dependencies are installed after the whole build context was copied in.",
        explanation: r#"A layer is rebuilt when anything it copied changes. After `COPY . .` every
edit to any source file invalidates the layers below it, so a dependency install placed there
(`go mod download`, `pip install -r`, `npm ci`, `cargo build`/`fetch`, ...), or a `go build` that
fetches the modules itself, downloads everything again on every change. Copy only the dependency manifests, install, then copy the rest: the
install stays cached until the manifests change. (The grader's `cache` check measures exactly
this on a real rebuild.)

Bad:
```dockerfile
COPY . .
RUN npm ci
RUN npm run build
```

Good:
```dockerfile
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
```
"#,
        book: "caching.md#layer-order",
        check: cache::copy_context_before_deps,
    },
    Rule {
        id: ids::COPY_FROM_UNKNOWN_STAGE.as_str(),
        name: "copy-from-unknown-stage",
        severity: Severity::Error,
        scope: Scope::AllStages,
        summary: "`COPY --from` (or `RUN --mount=from=`) names no earlier stage.",
        explanation: r#"`--from` takes the name or index of a stage defined *before* the current
one, or an image. A name that matches no earlier stage is treated as an image on Docker Hub:
a typo (`--from=buidler`) or a stage defined further down makes BuildKit try to pull an image
of that name and the build fails with a confusing "pull access denied". Values with a `:`, `/`
or `@` (`nginx:1.27`, `ghcr.io/org/tool`) are taken to be images and allowed; a bare word must
be a stage. Values with `$` are not checked.

Bad:
```dockerfile
FROM golang:1.24 AS build
RUN go build -o /out/app .
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=builder /out/app /app
```

Good:
```dockerfile
COPY --from=build /out/app /app
```
"#,
        book: "multi-stage.md#copy-from",
        check: stages::copy_from_unknown_stage,
    },
    Rule {
        id: ids::STAGE_NAME_CONFLICT.as_str(),
        name: "stage-name-conflict",
        severity: Severity::Error,
        scope: Scope::AllStages,
        summary: "Two stages share a name, or a stage is named `scratch` or `context`.",
        explanation: r#"`COPY --from=NAME` and `--target NAME` pick a stage by name, so names must
be unique. `scratch` is the empty base image and `context` refers to the build context; a stage
with either name shadows them.

Bad:
```dockerfile
FROM golang:1.24 AS build
FROM node:22-bookworm-slim AS build
```

Good:
```dockerfile
FROM golang:1.24 AS build-api
FROM node:22-bookworm-slim AS build-web
```
"#,
        book: "multi-stage.md#naming-stages",
        check: stages::stage_name_conflict,
    },
    Rule {
        id: ids::FINAL_STAGE_ROOT.as_str(),
        name: "final-stage-root",
        severity: Severity::Warning,
        scope: Scope::FinalStage,
        summary: "The final stage runs as root.",
        explanation: r#"A process running as root inside the container is root on the container's
files and one kernel bug away from root on the host. The last `USER` of the final stage decides
who the container runs as; a `USER` in a builder stage proves nothing. The rule fires when that
last `USER` is root (`root`, `0`, `0:0`, ...) or when there is none and the base image is not
known to set a non-root user (distroless and Chainguard `nonroot` images do). Static analysis
cannot see everything a base image sets: the grader's `user` check verifies the built image.

Bad:
```dockerfile
FROM debian:trixie-slim
COPY --from=build /out/app /usr/local/bin/app
CMD ["app"]
```

Good:
```dockerfile
FROM debian:trixie-slim
RUN useradd --system --uid 10001 app
COPY --from=build /out/app /usr/local/bin/app
USER app
CMD ["app"]
```
"#,
        book: "security.md#non-root",
        check: image::final_stage_root,
    },
    Rule {
        id: ids::SHELL_FORM_CMD.as_str(),
        name: "shell-form-cmd",
        severity: Severity::Warning,
        scope: Scope::FinalStage,
        summary: "CMD or ENTRYPOINT of the final stage uses the shell form.",
        explanation: r#"The shell form `CMD python app.py` runs `/bin/sh -c "python app.py"`: the
shell is PID 1, and it does not forward SIGTERM to your program. `docker stop` then waits 10
seconds and kills the container (the grader's `stop` check measures this). The exec (JSON) form
runs the program itself as PID 1. A shell form that starts with `exec` is accepted.

Bad:
```dockerfile
CMD python -m app
```

Good:
```dockerfile
CMD ["python", "-m", "app"]
```
"#,
        book: "runtime.md#exec-form",
        check: instructions::shell_form_cmd,
    },
    Rule {
        id: ids::ADD_INSTEAD_OF_COPY.as_str(),
        name: "add-instead-of-copy",
        severity: Severity::Warning,
        scope: Scope::AllStages,
        summary: "ADD is used for plain local files.",
        explanation: r#"ADD does what COPY does and more: it unpacks local tar archives and
downloads URLs. For plain files that extra behaviour is a surprise waiting to happen (a file
that happens to be an archive gets unpacked). Use COPY for local files; keep ADD for URLs, git
sources and archives you want extracted.

Bad:
```dockerfile
ADD requirements.txt /app/
```

Good:
```dockerfile
COPY requirements.txt /app/
ADD https://example.com/tool.tar.gz /opt/
```
"#,
        book: "security.md#add-vs-copy",
        check: instructions::add_instead_of_copy,
    },
    Rule {
        id: ids::TOOLCHAIN_IN_RUNTIME.as_str(),
        name: "toolchain-in-runtime",
        severity: Severity::Warning,
        scope: Scope::FinalStage,
        summary: "The final image contains a compiler or toolchain (e.g. a single-stage build).",
        explanation: r#"Compilers, SDKs and build tools are needed to build the program, not to run
it. Shipped in the final image they add hundreds of MB and attack surface. The rule fires when
the final stage starts from a toolchain image (`golang`, `rust`, `gcc`, `maven`, a JDK, the .NET
SDK) or installs one (`gcc`, `build-essential`, `golang`, `rustc`, ...). Build in one stage and
copy only the result into a slim runtime stage.

Bad:
```dockerfile
FROM golang:1.24
WORKDIR /src
COPY . .
RUN go build -o /app .
CMD ["/app"]
```

Good:
```dockerfile
FROM golang:1.24 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /app
CMD ["/app"]
```
"#,
        book: "multi-stage.md#why",
        check: image::toolchain_in_runtime,
    },
    Rule {
        id: ids::COPY_WHOLE_FILESYSTEM.as_str(),
        name: "copy-whole-filesystem",
        severity: Severity::Warning,
        scope: Scope::AllStages,
        summary: "`COPY --from=<stage> / ...` copies a stage's whole filesystem.",
        explanation: r#"Copying `/` from a builder stage brings its toolchain, caches and sources
along, which undoes the point of a multi-stage build. Copy only the artifacts the image needs.

Bad:
```dockerfile
COPY --from=build / /
```

Good:
```dockerfile
COPY --from=build /out/app /usr/local/bin/app
```
"#,
        book: "multi-stage.md#copy-from",
        check: stages::copy_whole_filesystem,
    },
    Rule {
        id: ids::DEPENDENCY_CACHE_MOUNT.as_str(),
        name: "dependency-cache-mount",
        severity: Severity::Info,
        scope: Scope::AllStages,
        summary: "A dependency install step has no `--mount=type=cache`.",
        explanation: r#"Layer caching helps only while the manifest is unchanged. When it changes,
the install step runs again and downloads everything from scratch. A cache mount keeps the
package manager's download cache between builds, outside the image, so only new packages are
fetched. This is a suggestion (Info); ignore it with `ignore = ["GR014"]` where it does not fit.

Bad:
```dockerfile
RUN go mod download
```

Good:
```dockerfile
RUN --mount=type=cache,target=/go/pkg/mod go mod download
```
"#,
        book: "caching.md#cache-mounts",
        check: cache::dependency_cache_mount,
    },
    Rule {
        id: ids::SECRET_IN_ARG_OR_ENV.as_str(),
        name: "secret-in-arg-or-env",
        severity: Severity::Warning,
        scope: Scope::AllStages,
        summary: "An ARG or ENV is named like a secret (password, token, key).",
        explanation: r#"ENV values are stored in the image config and ARG values in its history:
anyone who can pull the image can read them, even when a later step deletes the file that used
them. Pass secrets to the one RUN that needs them with a secret mount.

Bad:
```dockerfile
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc && npm ci
```

Good:
```dockerfile
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc && npm ci && rm ~/.npmrc
```
"#,
        book: "security.md#secrets",
        check: instructions::secret_in_arg_or_env,
    },
];
