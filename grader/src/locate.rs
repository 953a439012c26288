//! From what the engine reports back to the Dockerfile line that caused it.
//!
//! Build steps are named `[stage n/m] INSTRUCTION` by BuildKit; image layers carry the history
//! text of the instruction that made them (`RUN /bin/sh -c go build # buildkit`). Both are
//! matched against the parsed Dockerfile's instructions by their normalised text.

use dockerfile::{Dockerfile, Instruction, Stage};

use crate::facts::build::{squash, Step, StepName};
use crate::facts::image::ImageFacts;
use crate::facts::Facts;

/// The dependency step a cache check judges: of the RUN steps the build reported whose
/// instruction runs `step` as a command (parsed into shell words, see
/// [`dockerfile::lint::shell::runs_step`]), the first in Dockerfile order (stage, then step
/// number). Nothing without a parsed Dockerfile: text that merely mentions the command is no
/// evidence.
pub fn dependency_step<'f>(facts: &'f Facts, step: &str) -> Option<&'f Step> {
    use dockerfile::lint::shell::{reached_commands_of, runs_step};
    let df = facts.dockerfile.as_ref().ok()?;
    facts
        .build
        .instruction_steps()
        .filter_map(|s| {
            let p = s.parsed()?;
            let ins = instruction_of_step(df, &p).filter(|i| i.is("RUN"))?;
            let runs = reached_commands_of(ins).iter().any(|c| runs_step(c, step));
            runs.then(|| ((stage_of(df, &p).map_or(usize::MAX, |st| st.index), p.number), s))
        })
        .min_by_key(|(order, _)| *order)
        .map(|(_, s)| s)
}

/// The stage a step belongs to: by name, by `stage-N`, or the only/last stage for unnamed ones.
pub fn stage_of<'a>(df: &'a Dockerfile, step: &StepName<'_>) -> Option<&'a Stage> {
    match step.stage {
        Some(name) => df.stages.iter().find(|s| s.name.as_deref() == Some(name)).or_else(|| {
            let n: usize = name.strip_prefix("stage-")?.parse().ok()?;
            df.stages.get(n)
        }),
        None => df.stages.last(),
    }
}

/// The instruction a build step ran.
pub fn instruction_of_step<'a>(df: &'a Dockerfile, step: &StepName<'_>) -> Option<&'a Instruction> {
    let wanted = squash(step.instruction);
    if step.stage.is_none() {
        // The classic builder names no stage and numbers steps across the whole file, global
        // ARGs and FROMs included ("[6/11] RUN go build ..." is the file's 6th instruction).
        let nth = df
            .global_args
            .iter()
            .chain(df.stages.iter().flat_map(|s| &s.instructions))
            .nth(step.number.wrapping_sub(1));
        if let Some(i) = nth.filter(|i| squash(&i.text()) == wanted) {
            return Some(i);
        }
    }
    let stage = stage_of(df, step)?;
    stage.instructions.iter().find(|i| squash(&i.text()) == wanted).or_else(|| {
        // Names may carry substituted variables; fall back to keyword + first word.
        let mut w = wanted.split(' ');
        let (kw, first) = (w.next()?, w.next().unwrap_or(""));
        stage.instructions.iter().find(|i| i.keyword == kw && squash(&i.args.as_text()).starts_with(first))
    })
}

/// Where a layer of the final image came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin<'a> {
    /// An instruction of the final stage.
    Instruction(&'a Instruction),
    /// The final stage's base image (or an earlier stage it builds on).
    Base(String),
}

/// Attributes each layer of the final image to the final stage's instruction that made it, or
/// to the base image. Matching runs backwards from the last layer, so a base image's layers
/// that happen to read like one of ours are not claimed.
pub fn layer_origins<'a>(df: &'a Dockerfile, image: &ImageFacts, target: Option<&str>) -> Vec<Origin<'a>> {
    let stage = match target {
        Some(t) => df.stage(t),
        None => df.final_stage(),
    };
    let Some(stage) = stage else {
        return image.layers.iter().map(|_| Origin::Base("unknown".into())).collect();
    };
    let base = base_image_of(df, stage);
    let candidates: Vec<&Instruction> = stage
        .instructions
        .iter()
        .filter(|i| matches!(i.keyword.as_str(), "RUN" | "COPY" | "ADD" | "WORKDIR"))
        .collect();
    let mut origins = vec![Origin::Base(base.clone()); image.layers.len()];
    let mut next = candidates.len();
    for (li, layer) in image.layers.iter().enumerate().rev() {
        let history = history_text(&layer.created_by);
        let classic_copy = classic_copy_destination(&history);
        let made = |i: &&Instruction| match &classic_copy {
            Some((kw, dest)) => i.keyword == *kw && destination(i).as_deref() == Some(*dest),
            None => instruction_history_text(i) == history,
        };
        if let Some(pos) = candidates[..next].iter().rposition(made) {
            origins[li] = Origin::Instruction(candidates[pos]);
            next = pos;
        } else if next == 0 {
            break;
        }
    }
    // The classic builder writes `COPY file:<hash> in /app`, which matches nothing: when no layer
    // matched at all, align the final stage's layer-making instructions with the last layers.
    if !origins.iter().any(|o| matches!(o, Origin::Instruction(_))) {
        let makers: Vec<&Instruction> = candidates.iter().copied().filter(|i| i.keyword != "WORKDIR").collect();
        let n = makers.len().min(image.layers.len());
        let first = image.layers.len() - n;
        for (k, instr) in makers[makers.len() - n..].iter().enumerate() {
            origins[first + k] = Origin::Instruction(instr);
        }
    }
    origins
}

/// The external image a stage ultimately starts from (following `FROM <earlier stage>`).
pub fn base_image_of(df: &Dockerfile, stage: &Stage) -> String {
    let mut s = stage;
    for _ in 0..df.stages.len() {
        match s.base_stage.and_then(|i| df.stages.get(i)) {
            Some(earlier) => s = earlier,
            None => break,
        }
    }
    s.base_resolved.clone()
}

/// A history `created_by`, normalised to compare with an instruction.
fn history_text(created_by: &str) -> String {
    let t = created_by.trim();
    let t = t.strip_suffix("# buildkit").unwrap_or(t).trim();
    let t = t.strip_prefix("/bin/sh -c #(nop) ").unwrap_or(t);
    let t = match t.strip_prefix("RUN /bin/sh -c ") {
        Some(cmd) => format!("RUN {cmd}"),
        None => match t.strip_prefix("/bin/sh -c ") {
            Some(cmd) => format!("RUN {cmd}"),
            None => t.to_string(),
        },
    };
    squash(&t)
}

/// The classic builder records a COPY or ADD from the context as `COPY dir:<hash> in <dest>`
/// (`file:` and `multi:` too): its keyword and destination, the only parts to match on.
fn classic_copy_destination(history: &str) -> Option<(&str, &str)> {
    let (kw, rest) = history.split_once(' ')?;
    if kw != "COPY" && kw != "ADD" {
        return None;
    }
    let (source, dest) = rest.split_once(" in ")?;
    let (kind, hash) = source.split_once(':')?;
    let hex = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit());
    (matches!(kind, "dir" | "file" | "multi") && hex).then_some((kw, dest.trim()))
}

/// The destination of a COPY or ADD as written (its last argument).
fn destination(i: &Instruction) -> Option<String> {
    match i.args.exec() {
        Some(v) => v.last().cloned(),
        None => i.args.as_text().split_whitespace().last().map(str::to_string),
    }
}

/// What the history of a layer made by `i` reads like (flags are not recorded there).
fn instruction_history_text(i: &Instruction) -> String {
    let args = match (&i.keyword[..], i.args.exec()) {
        ("RUN", Some(exec)) => exec.join(" "),
        _ => i.args.as_text(),
    };
    squash(&format!("{} {}", i.keyword, args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::image::Layer;

    const DF: &str = "FROM golang:1-trixie AS builder\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=builder /out/app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n";

    fn layer(created_by: &str) -> Layer {
        Layer { content_bytes: 1, entries: 1, created_by: created_by.into() }
    }

    #[test]
    fn steps_map_to_lines() {
        let df = dockerfile::parse(DF).unwrap();
        let step = crate::facts::build::Step { name: "[builder 4/6] RUN go mod download".into(), ..Default::default() };
        let i = instruction_of_step(&df, &step.parsed().unwrap()).unwrap();
        assert_eq!(i.lines.start, 4);
        let step = crate::facts::build::Step {
            name: "[stage-1 2/2] COPY --from=builder /out/app /app".into(),
            ..Default::default()
        };
        assert_eq!(instruction_of_step(&df, &step.parsed().unwrap()).unwrap().lines.start, 9);
    }

    #[test]
    fn layers_map_to_instructions_or_the_base() {
        let df = dockerfile::parse(DF.replace("FROM scratch", "FROM debian:trixie-slim").as_str()).unwrap();
        let image = ImageFacts {
            layers: vec![layer("# debian.sh --arch 'amd64' out/ 'trixie'"), layer("COPY /out/app /app # buildkit")],
            ..Default::default()
        };
        let o = layer_origins(&df, &image, None);
        assert_eq!(o[0], Origin::Base("debian:trixie-slim".into()));
        assert!(matches!(o[1], Origin::Instruction(i) if i.lines.start == 9));
    }

    #[test]
    fn classic_step_names_map_across_stages() {
        let df = dockerfile::parse(DF).unwrap();
        let step = crate::facts::build::Step { name: "[6/11] RUN go build -o /out/app .".into(), ..Default::default() };
        assert_eq!(instruction_of_step(&df, &step.parsed().unwrap()).unwrap().lines.start, 6);
        let step = crate::facts::build::Step { name: "[3/11] COPY go.mod ./".into(), ..Default::default() };
        assert_eq!(instruction_of_step(&df, &step.parsed().unwrap()).unwrap().lines.start, 3);
    }

    #[test]
    fn classic_copy_history_matches_by_destination() {
        let df = dockerfile::parse("FROM golang:1-trixie\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n").unwrap();
        let image = ImageFacts {
            layers: vec![
                layer("base"),
                layer("/bin/sh -c #(nop) WORKDIR /src"),
                layer(
                    "/bin/sh -c #(nop) COPY dir:3aa633928a55dcf07ea87f53d3830c1bf4519f68587ff9fcba24c24a2cf230da in . ",
                ),
                layer("/bin/sh -c go build -o /app ."),
            ],
            ..Default::default()
        };
        let o = layer_origins(&df, &image, None);
        assert!(matches!(o[2], Origin::Instruction(i) if i.lines.start == 3), "{o:?}");
        assert!(matches!(o[3], Origin::Instruction(i) if i.lines.start == 4), "{o:?}");
        assert_eq!(o[0], Origin::Base("golang:1-trixie".into()));
    }

    #[test]
    fn run_history_matches_its_instruction() {
        let df = dockerfile::parse("FROM debian:trixie-slim\nRUN apt-get update && \\\n    apt-get install -y gcc\n")
            .unwrap();
        let image = ImageFacts {
            layers: vec![
                layer("base"),
                layer("RUN /bin/sh -c apt-get update &&     apt-get install -y gcc # buildkit"),
            ],
            ..Default::default()
        };
        assert!(
            matches!(layer_origins(&df, &image, None)[1], Origin::Instruction(i) if i.lines == dockerfile::LineSpan { start: 2, end: 3 })
        );
    }
}
