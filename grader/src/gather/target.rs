//! The target probe: build a named stage (`--target test`) three times: from the context as it
//! is and from a copy with a new passing test (both must succeed), and from a copy with a new
//! failing test (must fail). The planted tests get names and values drawn fresh for each run,
//! so a stage cannot recognise them without running them.

use std::path::Path;

use anyhow::Result;
use workbook::spec::{TargetCheck, TestStyle};

use super::prober::Variant;
use super::Gathering;
use crate::facts::{Measured, Probe, TargetProbe};

pub async fn gather(check: &TargetCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    g.show("target");
    let target = Variant { target: Some(&check.target), ..Variant::default() };
    g.progress.set_message(format!("building --target {}", check.target));
    let as_is = g.prober.outcome("target", target).await?;

    let passing = PlantedTest::new(check.tests, true);
    let failing = PlantedTest::new(check.tests, false);
    let copy = g.prober.copy(g.dir, &[]).await?;
    plant(&passing, copy.path(), &check.plant_dir).await?;
    g.progress.set_message(format!("building --target {} with a new passing test", check.target));
    let with_passing = g.prober.outcome("target-passing", Variant { from: Some(copy.path()), throwaway: true, ..target }).await?;

    plant(&failing, copy.path(), &check.plant_dir).await?;
    g.progress.set_message(format!("building --target {} with a new failing test", check.target));
    let with_failing = g.prober.outcome("target-failing", Variant { from: Some(copy.path()), throwaway: true, ..target }).await?;
    Ok(Some(Ok(Probe::Target(TargetProbe {
        as_is,
        with_passing,
        with_failing,
        passing_test: passing.name,
        failing_test: failing.name,
    }))))
}

/// Writes `test` into the copy, off the async runtime.
async fn plant(test: &PlantedTest, root: &Path, dir: &str) -> Result<()> {
    let (test, root, dir) = (test.clone(), root.to_path_buf(), dir.to_string());
    crate::workspace::off_runtime(move || test.write(&root, &dir)).await
}

/// A test the grader plants: a fresh name, and an addition of two random numbers that is right
/// (passing) or off by one (failing).
#[derive(Clone)]
struct PlantedTest {
    style: TestStyle,
    /// The test's name (also in its file name).
    name: String,
    content: String,
}

impl PlantedTest {
    fn new(style: TestStyle, passes: bool) -> PlantedTest {
        let bytes = crate::random::bytes::<12>();
        let id: String = bytes[..6].iter().map(|b| format!("{b:02x}")).collect();
        let (a, b) = (u32::from(u16::from_le_bytes([bytes[6], bytes[7]])), u32::from(u16::from_le_bytes([bytes[8], bytes[9]])));
        let sum = if passes { a + b } else { a + b + 1 + u32::from(bytes[10] % 7) };
        let name = format!("test_{id}");
        let content = match style {
            TestStyle::Pytest => format!("def {name}():\n    assert {a} + {b} == {sum}\n"),
            TestStyle::Node => format!(
                "const test = require('node:test');\nconst assert = require('node:assert');\n\n\
                 test('{name}', () => {{\n  assert.strictEqual({a} + {b}, {sum});\n}});\n"
            ),
        };
        PlantedTest { style, name, content }
    }

    /// Writes the test into `dir` (relative to the copy's root).
    fn write(&self, root: &Path, dir: &str) -> Result<()> {
        // The copy holds the learner's files: a `tests` that is a link would take the write
        // out of the copy (to wherever it points), so every part of the path must be a folder.
        let mut at = root.to_path_buf();
        for part in Path::new(dir).components() {
            at.push(part);
            if at.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                return Err(crate::error::advice(format!(
                    "`{dir}` in the exercise is not a plain folder (a link or a file): the grader plants its test \
                     there; make it a folder"
                )));
            }
        }
        let folder = root.join(dir);
        std::fs::create_dir_all(&folder)?;
        let file = match self.style {
            TestStyle::Pytest => format!("{}.py", self.name),
            TestStyle::Node => format!("{}.test.js", self.name),
        };
        std::fs::write(folder.join(file), &self.content)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tests_folder_that_links_out_of_the_copy_is_never_written_through() {
        let (copy, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::os::unix::fs::symlink(outside.path(), copy.path().join("tests")).unwrap();
        let t = PlantedTest::new(TestStyle::Pytest, true);
        let e = t.write(copy.path(), "tests").unwrap_err().to_string();
        assert!(e.contains("not a plain folder"), "{e}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        std::fs::create_dir(copy.path().join("real")).unwrap();
        t.write(copy.path(), "real").unwrap();
        assert_eq!(std::fs::read_dir(copy.path().join("real")).unwrap().count(), 1);
    }

    #[test]
    fn planted_tests_are_new_each_time_and_say_what_they_should() {
        let (a, b) = (PlantedTest::new(TestStyle::Pytest, true), PlantedTest::new(TestStyle::Pytest, true));
        assert_ne!(a.name, b.name);
        assert!(a.content.starts_with(&format!("def {}():\n    assert ", a.name)));
        let sum = |t: &PlantedTest| {
            let expr = t.content.lines().nth(1).unwrap().trim().strip_prefix("assert ").unwrap().to_string();
            let (lhs, rhs) = expr.split_once(" == ").unwrap();
            let (x, y) = lhs.split_once(" + ").unwrap();
            (x.parse::<u32>().unwrap() + y.parse::<u32>().unwrap(), rhs.parse::<u32>().unwrap())
        };
        let (got, want) = sum(&a);
        assert_eq!(got, want);
        let f = PlantedTest::new(TestStyle::Pytest, false);
        let (got, want) = sum(&f);
        assert_ne!(got, want);
        assert!(PlantedTest::new(TestStyle::Node, false).content.contains("assert.strictEqual("));
    }
}
