//! A short, stable-toolchain run of what the cargo-fuzz targets in `fuzz/` check (the
//! `.dockerignore` matcher, the spec loader, the export reader, the context packer): random
//! mutations of the committed seeds (`fuzz/seeds/<target>/`), checked by the same functions the
//! targets call ([`crate::fuzz`]). CI runs it with every `cargo test`; `GRADER_FUZZ_ITERS` sets
//! the mutations per target (default 3000; a tenth of it for the packer, which writes folders).

use std::path::Path;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"**",
    b"!",
    b"../",
    b"/",
    b"\\",
    b"[",
    b"]",
    b"*",
    b"?",
    b"\n",
    b" = ",
    b"\"",
    b"[[check]]\n",
    b"kind = \"smoke\"\n",
    b"points = 4294967296\n",
    b"memory_mb = 0\n",
    b"source = \"../x\"\n",
    b"-1",
    b"\x00",
    b"\xff",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(d.len() + 1);
        match rng.below(5) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            1 => d.insert(at, rng.next() as u8),
            2 if at < d.len() => {
                let end = (at + rng.below(16)).min(d.len());
                d.drain(at..end);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                d.splice(at..at, t.iter().copied());
            }
            _ if !d.is_empty() => {
                let (a, b) = (rng.below(d.len()), rng.below(d.len()));
                let chunk = d[a.min(b)..a.max(b)].to_vec();
                d.splice(at..at, chunk);
            }
            _ => {}
        }
    }
    d
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds").join(target);
    let mut seeds: Vec<Vec<u8>> =
        std::fs::read_dir(&dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds.sort();
    seeds
}

fn run(target: &str, check: impl Fn(&[u8])) {
    run_scaled(target, 1, check)
}

fn run_scaled(target: &str, divide: usize, check: impl Fn(&[u8])) {
    let iters: usize = std::env::var("GRADER_FUZZ_ITERS").ok().and_then(|n| n.parse().ok()).unwrap_or(3000) / divide;
    let seeds = corpus(target);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.len() as u64);
    for seed in &seeds {
        check(seed);
    }
    for _ in 0..iters {
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input))).is_err() {
            panic!("{target} panicked on {:?}", String::from_utf8_lossy(&input));
        }
    }
}

#[test]
fn the_dockerignore_matcher_never_panics() {
    run("dockerignore", crate::fuzz::dockerignore);
}

#[test]
fn the_spec_loader_never_panics_and_keeps_its_promises() {
    run("spec", crate::fuzz::spec);
}

#[test]
fn the_export_reader_never_panics() {
    run("export", crate::fuzz::export);
}

#[test]
fn the_context_packer_sends_what_the_rules_say() {
    run_scaled("context", 10, crate::fuzz::context);
}
