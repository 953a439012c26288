//! The planted secret and the ways a build can carry it: as is, base64 (in its three
//! alignments, standard and URL alphabets, with or without line breaks), hex (either case), and
//! inside gzip streams and zip members. Pure searching over streams, in fixed-size chunks, so a
//! layer of any size is read once and never held in memory.

use std::io::{self, Read};

use aho_corasick::AhoCorasick;

/// Bytes read per chunk.
const CHUNK: usize = 64 * 1024;
/// At most this much decompressed output is searched per gzip stream or zip member (a bound on
/// time against compression bombs; a planted secret sits near the start of what was packed).
const INFLATE_MAX: u64 = 256 << 20;
/// Zip files up to this size are read into memory to walk their members.
const ZIP_MAX: u64 = 32 << 20;

/// How a found copy of the secret was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Base64,
    Hex,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Plain => "as is",
            Encoding::Base64 => "base64-encoded",
            Encoding::Hex => "hex-encoded",
        }
    }
}

/// Where in a file the secret was found: its encoding, and the container it was packed in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found(pub String);

/// The secret and its encodings, compiled once for the whole export.
#[derive(Debug, Clone)]
pub struct Canary {
    /// Plain and hex patterns, searched in the raw bytes.
    raw: AhoCorasick,
    raw_kinds: Vec<Encoding>,
    /// Base64 patterns, searched with line breaks removed (`base64` wraps at 76 columns).
    b64: AhoCorasick,
    longest: usize,
}

impl Canary {
    /// The patterns for `secret` (at least 4 bytes, or base64 patterns would match by chance).
    pub fn new(secret: &[u8]) -> Option<Canary> {
        if secret.len() < 4 {
            return None;
        }
        let hex_lower: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let raw_patterns = vec![secret.to_vec(), hex_lower.clone().into_bytes(), hex_lower.to_uppercase().into_bytes()];
        let raw_kinds = vec![Encoding::Plain, Encoding::Hex, Encoding::Hex];
        let mut b64_patterns: Vec<Vec<u8>> = Vec::new();
        for shift in 0..3 {
            let core = base64_core(secret, shift);
            let url: Vec<u8> = core
                .iter()
                .map(|&c| match c {
                    b'+' => b'-',
                    b'/' => b'_',
                    c => c,
                })
                .collect();
            if url != core {
                b64_patterns.push(url);
            }
            b64_patterns.push(core);
        }
        let longest = raw_patterns.iter().chain(&b64_patterns).map(Vec::len).max().unwrap_or(1);
        Some(Canary {
            raw: AhoCorasick::new(&raw_patterns).ok()?,
            raw_kinds,
            b64: AhoCorasick::new(&b64_patterns).ok()?,
            longest,
        })
    }

    /// Searches a file's content, looking inside it when it is gzip-compressed or a zip
    /// archive. Reads the stream to its end only when nothing is found earlier.
    pub fn find_in<R: Read>(&self, mut r: R, size: u64) -> io::Result<Option<Found>> {
        let mut head = Vec::with_capacity(4);
        (&mut r).take(4).read_to_end(&mut head)?;
        let whole = io::Cursor::new(head.clone()).chain(r);
        if head.starts_with(&[0x1f, 0x8b]) {
            let inflated = flate2::read::MultiGzDecoder::new(whole).take(INFLATE_MAX);
            // A corrupt stream ends the search of that file; what was read so far counted.
            return Ok(self
                .search(inflated)
                .unwrap_or(None)
                .map(|e| Found(format!("{} in gzip-compressed data", e.as_str()))));
        }
        if head == b"PK\x03\x04" && size <= ZIP_MAX {
            let mut bytes = Vec::with_capacity(size as usize);
            whole.take(ZIP_MAX).read_to_end(&mut bytes)?;
            if let Some(e) = self.search(bytes.as_slice())? {
                return Ok(Some(Found(format!("{} in a zip archive", e.as_str()))));
            }
            return Ok(self
                .search_zip_members(&bytes)
                .map(|e| Found(format!("{} in a deflated zip member", e.as_str()))));
        }
        Ok(self.search(whole)?.map(|e| Found(e.as_str().to_string())))
    }

    /// Searches text held in memory (the image config).
    pub fn find_in_text(&self, text: &str) -> Option<Encoding> {
        self.search(text.as_bytes()).ok().flatten()
    }

    /// One pass over a stream: the raw bytes for plain and hex copies, the bytes with line
    /// breaks removed for base64 copies; each keeps the last `longest - 1` bytes of the previous
    /// chunk so a copy across chunks is found.
    fn search<R: Read>(&self, mut r: R) -> io::Result<Option<Encoding>> {
        let keep = self.longest - 1;
        let mut raw: Vec<u8> = Vec::with_capacity(CHUNK + keep);
        let mut joined: Vec<u8> = Vec::with_capacity(CHUNK + keep);
        let mut chunk = vec![0u8; CHUNK];
        loop {
            let n = match r.read(&mut chunk) {
                Ok(0) => return Ok(None),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            raw.extend_from_slice(&chunk[..n]);
            joined.extend(chunk[..n].iter().copied().filter(|b| *b != b'\n' && *b != b'\r'));
            if let Some(m) = self.raw.find(&raw[..]) {
                return Ok(Some(self.raw_kinds[m.pattern().as_usize()]));
            }
            if self.b64.find(&joined[..]).is_some() {
                return Ok(Some(Encoding::Base64));
            }
            for buf in [&mut raw, &mut joined] {
                if buf.len() > keep {
                    buf.drain(..buf.len() - keep);
                }
            }
        }
    }

    /// Walks a zip's local file headers and searches each deflated member's content.
    fn search_zip_members(&self, zip: &[u8]) -> Option<Encoding> {
        let finder = memchr::memmem::Finder::new(b"PK\x03\x04");
        for at in finder.find_iter(zip) {
            let field = |off: usize| -> Option<usize> {
                let b = zip.get(at + off..at + off + 2)?;
                Some(u16::from_le_bytes([b[0], b[1]]) as usize)
            };
            let (Some(method), Some(name_len), Some(extra_len)) = (field(8), field(26), field(28)) else { continue };
            let Some(data) = zip.get(at + 30 + name_len + extra_len..) else { continue };
            if method == 8 {
                let inflated = flate2::read::DeflateDecoder::new(data).take(INFLATE_MAX);
                if let Ok(Some(e)) = self.search(inflated) {
                    return Some(e);
                }
            }
        }
        None
    }
}

/// The base64 characters that depend only on `secret` when it starts `shift` bytes into the
/// encoded data (whatever comes before and after it).
fn base64_core(secret: &[u8], shift: usize) -> Vec<u8> {
    let mut data = vec![0u8; shift];
    data.extend_from_slice(secret);
    let encoded = base64(&data);
    let start = (shift * 8).div_ceil(6);
    let end = (data.len() * 8) / 6;
    encoded.as_bytes()[start..end].to_vec()
}

/// Standard base64, with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for group in data.chunks(3) {
        let b = [group[0], *group.get(1).unwrap_or(&0), *group.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const SECRET: &str = "canary-ex7-8d41f2c09b7e4a65";

    fn found(content: &[u8]) -> Option<String> {
        Canary::new(SECRET.as_bytes()).unwrap().find_in(content, content.len() as u64).unwrap().map(|f| f.0)
    }

    /// What `base64` (coreutils) prints: 76 columns.
    fn wrapped_base64(data: &[u8]) -> Vec<u8> {
        let one_line = base64(data);
        let lines: Vec<&str> = one_line.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
        (lines.join("\n") + "\n").into_bytes()
    }

    #[test]
    fn base64_matches_the_reference_encoder() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn every_alignment_and_line_wrapping_is_found() {
        for prefix in 0..80 {
            let mut env = "X".repeat(prefix).into_bytes();
            env.extend_from_slice(format!("WEBHOOK_SECRET={SECRET}\nPORT=3000\n").as_bytes());
            assert_eq!(found(base64(&env).as_bytes()).as_deref(), Some("base64-encoded"), "prefix {prefix}");
            assert_eq!(found(&wrapped_base64(&env)).as_deref(), Some("base64-encoded"), "wrapped, prefix {prefix}");
        }
    }

    #[test]
    fn plain_hex_gzip_and_zip_copies_are_found() {
        assert_eq!(found(format!("x={SECRET}").as_bytes()).as_deref(), Some("as is"));
        let hex: String = SECRET.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(found(hex.as_bytes()).as_deref(), Some("hex-encoded"));
        assert_eq!(found(hex.to_uppercase().as_bytes()).as_deref(), Some("hex-encoded"));

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(format!("WEBHOOK_SECRET={SECRET}\n").as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(found(&gz).as_deref(), Some("as is in gzip-compressed data"));

        // A zip with one deflated member, written by hand (local header, data, no directory
        // needed for the search).
        let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflated.write_all(format!("junk {SECRET} junk").repeat(3).as_bytes()).unwrap();
        let deflated = deflated.finish().unwrap();
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&[20, 0, 0, 0, 8, 0]); // version, flags, method 8
        zip.extend_from_slice(&[0; 16]); // time, date, crc, sizes
        zip.extend_from_slice(&4u16.to_le_bytes()); // name length
        zip.extend_from_slice(&0u16.to_le_bytes()); // extra length
        zip.extend_from_slice(b".env");
        zip.extend_from_slice(&deflated);
        assert_eq!(found(&zip).as_deref(), Some("as is in a deflated zip member"));
    }

    #[test]
    fn near_misses_are_not_found() {
        assert_eq!(found(b"canary-ex7-8d41f2c09b7e4a6"), None);
        assert_eq!(found(base64(b"canary-ex7-8d41f2c09b7e4a6").as_bytes()), None);
        assert_eq!(found(&[0u8; 200_000]), None);
        // A copy across the chunk boundary.
        let mut big = vec![b'.'; CHUNK - 5];
        big.extend_from_slice(base64(SECRET.as_bytes()).as_bytes());
        assert_eq!(found(&big).as_deref(), Some("base64-encoded"));
    }
}
