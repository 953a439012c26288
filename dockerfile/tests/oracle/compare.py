#!/usr/bin/env python3
"""Differential test: our parser against BuildKit's own Go parser.

The oracle is the PyPI package `dockerfile` (`pip install dockerfile`), which wraps BuildKit's
`frontend/dockerfile/parser`. It is a test tool only; nothing in the grader depends on it.

Usage (from the repository root):
    python3 dockerfile/tests/oracle/compare.py                    # every fixture
    python3 dockerfile/tests/oracle/compare.py FILE...            # these files
    python3 dockerfile/tests/oracle/compare.py --random 5000      # plus 5000 random mutations

For each file it compares, instruction by instruction: keyword, first and last line, the joined
logical line (BuildKit's `original`), flags, exec/shell form, the arguments, heredoc names and
bodies, and the ONBUILD trigger. BuildKit's line parser accepts some things that BuildKit
rejects one step later (unknown instructions, argument counts, flags an instruction does not
take, instructions before FROM); when only we reject, the case is counted as
`stricter (instruction rules)` and listed, not as a mismatch. Exit status 1 on any mismatch.
"""

import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile

try:
    import dockerfile as oracle
except ImportError:
    sys.exit("the oracle is missing: pip install dockerfile")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")

# Messages of rules BuildKit applies after its line parser (instructions.Parse and dispatch).
INSTRUCTION_RULES = (
    "unknown instruction",
    "before the first FROM",
    "no FROM instruction",
    "requires",
    "must have two arguments",
    "can't find =",
    "names can not be blank",
    "invalid name for build stage",
    "expected a stage name",
    "unknown flag",
    "missing a value on flag",
    "expecting boolean value",
    "duplicate flag",
    "HEALTHCHECK",
    "ONBUILD",
    "isn't allowed as an ONBUILD trigger",
    "cannot accept a heredoc",
    "can not be an empty string",
)

WHITESPACE_LIST = {"COPY", "ADD", "VOLUME", "FROM", "EXPOSE"}
WHOLE_REST = {"RUN", "CMD", "ENTRYPOINT", "SHELL", "MAINTAINER", "USER", "WORKDIR", "STOPSIGNAL"}


def ours(paths):
    """Runs the dump example over `paths`; returns {path: result}."""
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "dockerfile", "--example", "dump", "--"] + paths,
        cwd=os.path.dirname(ROOT),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    results = {}
    for line in out.splitlines():
        r = json.loads(line)
        results[r["file"]] = r
    return results


def flatten(df):
    out = list(df["global_args"])
    for stage in df["stages"]:
        out.extend(stage["instructions"])
    return out


def ascii_split(s):
    for c in "\t\v\f\r":
        s = s.replace(c, " ")
    return [w for w in s.split(" ") if w]


def flag_words(ins):
    return [
        "--" + f["name"] + ("" if f["value"] is None else "=" + f["value"]) for f in ins["flags"]
    ]


def expected_value(ins):
    """What the oracle's `value` should be for our instruction, or None to skip."""
    kw = ins["keyword"]
    args = ins["args"]
    if "exec" in args:
        return list(args["exec"])
    rest = args["shell"]
    if kw in WHOLE_REST:
        return [rest] if rest else []
    if kw in WHITESPACE_LIST:
        return ascii_split(rest)
    if kw == "HEALTHCHECK":
        parts = rest.split(None, 1)
        return parts if len(parts) == 2 else parts[:1]
    return None


def normalise_body(content, strip_tabs):
    lines = content.split("\n")
    lines = [l.rstrip("\r") for l in lines]
    if strip_tabs:
        lines = [l.lstrip("\t") for l in lines]
    return "\n".join(lines)


def compare_instruction(o, ins, where):
    problems = []

    def check(what, a, b):
        if a != b:
            problems.append(f"{where}: {what}: buildkit {a!r} != ours {b!r}")

    check("keyword", o.cmd.upper(), ins["keyword"])
    check("lines", (o.start_line, o.end_line), (ins["lines"]["start"], ins["lines"]["end"]))
    original = o.original.split("\n")[0] if o.heredocs else o.original
    check("joined line", original, ins["joined"])
    check("flags", list(o.flags), flag_words(ins))
    if ins["keyword"] == "ONBUILD":
        inner = ins["onbuild"]
        check("trigger", (o.sub_cmd or "").upper(), inner["keyword"] if inner else "")
        if inner:
            exp = expected_value(inner)
            if exp is not None:
                check("trigger value", list(o.value), exp)
    else:
        check("exec form", o.json, "exec" in ins["args"])
        exp = expected_value(ins)
        if exp is not None:
            check("value", list(o.value), exp)
    theirs = [(h.name, normalise_body(h.content, False)) for h in o.heredocs]
    mine = [(h["delimiter"], h["body"]) for h in ins["heredocs"]]
    if [n for n, _ in theirs] != [n for n, _ in mine]:
        check("heredoc names", [n for n, _ in theirs], [n for n, _ in mine])
    else:
        for (n, body), h in zip(theirs, ins["heredocs"]):
            check(f"heredoc {n} body", normalise_body(body, h["strip_tabs"]), h["body"])
    return problems


def compare(path, text, result):
    """Returns (category, details)."""
    try:
        cmds = oracle.parse_string(text)
        oracle_error = None
    except Exception as e:  # GoParseError, or anything the wrapper raises
        cmds = None
        oracle_error = str(e)
    if "io_error" in result:
        return "skipped", result["io_error"]
    if "error" in result:
        msg = result["error"]["message"]
        if oracle_error is not None:
            return "both reject", f"ours: line {result['error']['line']}: {msg} | buildkit: {oracle_error}"
        if ("parser directive" in msg or "escape token" in msg) and check_directive_is_new(text):
            return "known version difference", f"{msg} [the check directive is newer than v0.12.5]"
        if ("parser directive" in msg or "escape token" in msg) and unicode_space_in_directives(text):
            return "known version difference", f"{msg} [current BuildKit skips Unicode spaces after '#', v0.12.5 only ASCII ones]"
        if any(k in msg for k in INSTRUCTION_RULES):
            return "stricter (instruction rules)", f"line {result['error']['line']}: {msg}"
        if "file with no instructions" in msg and not cmds:
            return "both reject", msg
        if json_with_trailing_text(text):
            return "known version difference", f"we reject ({msg}) [JSON followed by more text]"
        return "mismatch", f"we reject ({msg}), buildkit accepts"
    if oracle_error is not None:
        if "codec can't decode" in oracle_error:
            return "known version difference", f"buildkit: {oracle_error} [BuildKit cut a UTF-8 character in two]"
        if json_with_trailing_text(text):
            return "known version difference", f"buildkit rejects: {oracle_error} [JSON followed by more text]"
        return "mismatch", f"we accept, buildkit rejects: {oracle_error}"
    mine = flatten(result["ok"])
    if len(mine) != len(cmds):
        if json_with_trailing_text(text):
            return "known version difference", "instruction count [JSON followed by more text]"
        return "mismatch", f"{len(cmds)} instructions in buildkit, {len(mine)} in ours"
    problems = []
    known = []
    for n, (o, ins) in enumerate(zip(cmds, mine)):
        found = compare_instruction(o, ins, f"instruction {n + 1} (line {o.start_line})")
        reason = known_difference(o, ins) if found else None
        if reason:
            known.extend(f"{p} [{reason}]" for p in found)
        else:
            problems.extend(found)
    if problems:
        return "mismatch", "\n    ".join(problems)
    if known:
        return "known version difference", "\n    ".join(known)
    return "same", ""


def known_difference(o, ins):
    """Names a documented difference between the oracle's BuildKit (v0.12.5) and current BuildKit
    that explains a mismatch in this instruction, or returns None."""
    if json_with_trailing_text(ins["joined"]):
        return "JSON followed by more text: current BuildKit (json.Unmarshal) reads shell form, v0.12.5 (json.Decoder) ignores the rest"
    if ins["keyword"] == "ONBUILD" and ins["heredocs"] and not o.heredocs:
        return "heredocs in ONBUILD triggers: current BuildKit reads them, v0.12.5 does not"
    if any(not w.isascii() for w in list(o.flags) + flag_words(ins)):
        return "non-ASCII in flags: BuildKit scans flags byte by byte (splitting at byte 0x85/0xA0, garbling UTF-8); we scan characters"
    return None


def json_with_trailing_text(text):
    """Whether some line holds a JSON array followed by more text (`CMD ["a"] b`): BuildKit
    v0.12.5 reads the array and ignores the rest; current BuildKit reads the line as shell form."""
    joined = re.sub(r"\\[ \t]*\r?\n", "", text)
    for line in text.split("\n") + joined.split("\n"):
        i = line.find("[")
        while i >= 0:
            try:
                value, end = json.JSONDecoder().raw_decode(line[i:])
                if isinstance(value, list) and line[i + end:].strip():
                    return True
            except ValueError:
                pass
            i = line.find("[", i + 1)
    return False


def unicode_space_in_directives(text):
    for line in text.lstrip("\ufeff").split("\n"):
        if not line.strip().startswith("#"):
            return False
        if "\u00a0" in line or "\u0085" in line:
            return True
    return False


def check_directive_is_new(text):
    """`# check=` became a directive after v0.12.5; there it is a comment that ends the
    directives, so a later (invalid or duplicate) directive is only a comment."""
    for line in text.lstrip("\ufeff").splitlines():
        l = line.strip()
        if not l.startswith("#"):
            return False
        body = l[1:].strip().lower().replace(" ", "")
        if body.startswith("check="):
            return True
    return False


TOKENS = [
    "\\\n", "\\", "`", "\n", "\r\n", "#", "# escape=`\n", "<<EOF", "<<-EOF", "<<'EOF'",
    '<<"EOF"', "\nEOF\n", "\tEOF\n", '"', "'", "[", "]", '["a"]', "--", "--from=", "=", "${",
    "}", "\t", " ", "é", "\u00a0", "FROM ", "RUN ", "COPY ", "ONBUILD ", "HEALTHCHECK ", "CMD ",
    "\n\n", "\\ \t\n", "2<<X", "\nX\n", "\n#c\n",
]


def mutate(rng, corpus):
    s = rng.choice(corpus)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(s))
        op = rng.randrange(7)
        if op >= 5:
            # Gentle: insert a token after a line's first word, so the keyword survives.
            line_start = s.rfind("\n", 0, at) + 1
            space = s.find(" ", line_start)
            if space != -1 and space < at:
                s = s[:at] + rng.choice(TOKENS) + s[at:]
        elif op in (0, 1):
            s = s[:at] + rng.choice(TOKENS) + s[at:]
        elif op == 2:
            s = s[:at] + s[at + rng.randrange(20):]
        elif op == 3:
            other = rng.choice(corpus)
            i = rng.randint(0, len(other))
            s = s[:at] + other[i:i + rng.randrange(80)] + s[at:]
        else:
            j = at + rng.randrange(40)
            to = rng.randint(0, len(s))
            s = s[:to] + s[at:j] + s[to:]
    return s


def main(argv):
    random_n = 0
    seed = 1
    files = []
    it = iter(argv)
    for a in it:
        if a == "--random":
            random_n = int(next(it))
        elif a == "--seed":
            seed = int(next(it))
        else:
            files.append(os.path.abspath(a))
    if not files:
        files = sorted(glob.glob(os.path.join(FIXTURES, "*", "*.Dockerfile")))
    texts = {}
    for f in files:
        with open(f, encoding="utf-8", newline="") as fh:
            texts[f] = fh.read()
    tmp = None
    if random_n:
        tmp = tempfile.mkdtemp(prefix="df-oracle-")
        rng = random.Random(seed)
        corpus = list(texts.values())
        for n in range(random_n):
            p = os.path.join(tmp, f"random-{n:06}.Dockerfile")
            t = mutate(rng, corpus)
            with open(p, "w", encoding="utf-8", newline="") as fh:
                fh.write(t)
            texts[p] = t
    results = ours(list(texts))
    counts = {}
    report = []
    for path, text in texts.items():
        category, detail = compare(path, text, results[path])
        counts[category] = counts.get(category, 0) + 1
        is_random = tmp is not None and path.startswith(tmp)
        if category == "mismatch" or (category != "same" and not is_random):
            report.append(f"{category}: {os.path.relpath(path)}\n    {detail}")
    print("\n".join(report))
    print("summary: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 1 if counts.get("mismatch") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
