//! Units as people read them: sizes in decimal megabytes, as `docker images` prints. Used by
//! checks, reports and commands alike, so it sits below all of them.

/// Decimal megabytes with one decimal, as `docker images` prints sizes.
pub fn mb(bytes: u64) -> String {
    let mb = bytes as f64 / 1e6;
    if mb >= 100.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}
