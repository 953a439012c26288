//! A line diff for people (`grader solution`): the longest common subsequence of two short
//! texts, every line shown with ` `, `-` or `+`. Dockerfiles are tens of lines, so the
//! quadratic table costs nothing.

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    Same(&'a str),
    /// Only in the old text.
    Removed(&'a str),
    /// Only in the new text.
    Added(&'a str),
}

pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // lcs[i][j]: the common subsequence's length of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(Line::Same(a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out
}

/// The diff as text: `  line`, `- line`, `+ line`.
pub fn render(old: &str, new: &str) -> String {
    let mut out = String::new();
    for l in lines(old, new) {
        let (mark, text) = match l {
            Line::Same(t) => (' ', t),
            Line::Removed(t) => ('-', t),
            Line::Added(t) => ('+', t),
        };
        out.push_str(&format!("{mark} {text}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_what_changed() {
        let text = super::render("FROM a\nRUN x\nCMD y\n", "FROM a AS b\nRUN x\nCMD y\nUSER 1\n");
        assert_eq!(text, "- FROM a\n+ FROM a AS b\n  RUN x\n  CMD y\n+ USER 1\n");
    }
}
