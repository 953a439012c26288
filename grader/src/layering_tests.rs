//! The grader's layering, as a test: each top-level module of `src/` may use only modules of a
//! lower layer (or itself), so there is no import cycle and nothing imports upwards. The table
//! below is the architecture; a new module needs a row, and moving a module is a one-line edit.
//! Test code (`#[cfg(test)]` and what follows it in a file) is not scanned.

use std::collections::BTreeMap;
use std::path::Path;

/// Top-level modules by layer, lowest first. Read it as the pipeline: spec (the `workbook`
/// crate) -> plan -> gather (engine) -> facts -> checks -> report, with helpers underneath.
const LAYERS: &[&[&str]] = &[
    // Helpers with no grading knowledge.
    &["error", "exit", "glob", "units", "output", "workspace", "image_ref", "progress", "diff", "canary", "random"],
    &["dockerignore"],
    &["context"],
    // Plain data: what was measured.
    &["facts"],
    // Pure readings of the data: engine names to Dockerfile lines; the docker-save reader.
    &["locate", "image"],
    // The properties the fuzz targets and their stable slice check (the readers above).
    &["fuzz"],
    // What to build, before any I/O.
    &["plan"],
    // The engine's I/O, returning records.
    &["engine"],
    // Base images made available before a build (the offline kit, run for the missing ones).
    &["provision"],
    // Gathering drives the engine; checks judge the facts (pure). Neither knows the other.
    &["gather", "checks"],
    // Pure renderers of the verdicts.
    &["report"],
    // A class: the roster, the engine pool, the gradebook and its renderers.
    &["class"],
    // Declarations of the command line, then its handlers.
    &["cli"],
    &["commands"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn sources(root: &Path, dir: &Path, out: &mut Vec<(String, std::path::PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
            let module = first.trim_end_matches(".rs").to_string();
            out.push((module, path));
        }
    }
}

/// The top-level modules a file names as `crate::<module>`, outside its test code.
fn uses(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
        // `use crate::{a, b}` names several modules at once.
        if let Some(group) = line.split("crate::{").nth(1) {
            for part in group.split([',', '}']) {
                let name: String = part.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        }
    }
    found
}

#[test]
fn no_module_imports_upwards_or_in_a_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 40, "the scan found only {} files", files.len());
    let exempt = ["lib", "main", "pipeline_tests", "layering_tests", "fuzz_tests", "canary_tests"];
    let mut problems = BTreeMap::new();
    for (module, path) in &files {
        if exempt.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = layer_of(module) else {
            problems.insert(format!("{module}: not in the LAYERS table"), ());
            continue;
        };
        for used in uses(&std::fs::read_to_string(path).unwrap()) {
            if used == *module {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                Some(_) => {
                    problems.insert(format!("{} uses crate::{used}, which is not below {module}", path.display()), ());
                }
                None => {
                    problems
                        .insert(format!("{} uses crate::{used}, which is not in the LAYERS table", path.display()), ());
                }
            }
        }
    }
    let problems: Vec<String> = problems.into_keys().collect();
    assert!(problems.is_empty(), "layering broken:\n{}", problems.join("\n"));
}

#[test]
fn the_scan_sees_grouped_and_inline_paths() {
    let text = "use crate::{facts, plan::X};\nfn f() { crate::engine::go(); }\n// crate::nothing\n#[cfg(test)]\nuse crate::report;";
    assert_eq!(uses(text), ["facts", "plan", "engine"]);
}
