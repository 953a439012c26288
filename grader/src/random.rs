//! Random bytes for the names and values a learner must not be able to guess or list in
//! advance (run ids, nonces, planted test names, probe file names), from the OS.

/// `N` random bytes. Without OS randomness (never seen), the clock's nanoseconds mixed with the
/// process id, repeated: still new per process and call, though guessable.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if getrandom::getrandom(&mut out).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let mixed = ((nanos.as_nanos() as u64) ^ (u64::from(std::process::id()) << 40)).to_le_bytes();
        for (i, b) in out.iter_mut().enumerate() {
            *b = mixed[i % 8];
        }
    }
    out
}
