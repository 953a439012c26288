//! The planted secret and the ways a build can carry it: as is, base64 (in its three
//! alignments, standard and URL alphabets, with or without line breaks), hex (either case,
//! wrapped or not), hex dumps (`xxd`, `xxd -i`, `hexdump -C`, `od -x` with its swapped 16-bit
//! words, `od -t x1`), percent-encoding, and inside gzip, bzip2, xz and zstd streams, tar and zip
//! archives and base64-encoded text, nested (and zlib streams). Pure searching over streams, in fixed-size chunks,
//! so a layer of any size is read once; what is decoded is bounded per file in bytes and in
//! nesting, and the outcome says when a bound stopped the search.

use std::cell::{Cell, RefCell};
use std::io::{self, Read};

use aho_corasick::AhoCorasick;

/// Bytes read per chunk.
const CHUNK: usize = 64 * 1024;
/// At most this much decompressed or decoded output is searched per file, across all the
/// containers nested in it (a bound on time against compression bombs; a planted secret sits
/// near the start of what was packed).
const DECODED_MAX: u64 = 256 << 20;
/// Containers in containers opened at most (a tar in a gzip in base64 text is three).
const DEPTH_MAX: usize = 4;
/// Zip files up to this size are read into memory to walk their members.
const ZIP_MAX: u64 = 32 << 20;
/// A run of base64 text collected for decoding is cut at this size (it is held in memory).
const RUN_MAX: usize = 16 << 20;
/// xz and zstd streams that ask for a larger window are not opened (the window is memory).
const WINDOW_MAX: u64 = 64 << 20;

/// How a found copy of the secret was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Base64,
    Hex,
    HexDump,
    HexDumpWords,
    Percent,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Plain => "as is",
            Encoding::Base64 => "base64-encoded",
            Encoding::Hex => "hex-encoded",
            Encoding::HexDump => "in a hex dump",
            Encoding::HexDumpWords => "in a hex dump of 16-bit words (od -x)",
            Encoding::Percent => "percent-encoded",
        }
    }
}

/// Where in a file the secret was found: its encoding, and the containers it was packed in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found(pub String);

/// What searching one file gave: the copy found, if any, and every bound that cut the search
/// short (so "not found" is never claimed for bytes that were not read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub found: Option<Found>,
    pub limits: Vec<String>,
}

/// The secret and its encodings, compiled once for the whole export.
#[derive(Debug, Clone)]
pub struct Canary {
    /// Plain and hex patterns, searched in the raw bytes and (plain only) the percent-decoded.
    raw: AhoCorasick,
    raw_kinds: Vec<Encoding>,
    /// Base64 and hex patterns, searched with line breaks removed (`base64` wraps at 76
    /// columns, `xxd -p` at 60).
    joined: AhoCorasick,
    joined_kinds: Vec<Encoding>,
    /// The lowercase hex, searched in the hex digits a dump's lines are reduced to.
    dump: AhoCorasick,
    /// The base64 of the magic numbers of the containers opened: where base64 text starts that
    /// is worth decoding.
    magic64: AhoCorasick,
    /// Raw bytes kept from one chunk to the next: more than the longest encoding of the secret
    /// (a hex dump takes about five bytes per byte, with its line overhead).
    keep: usize,
    decoded_max: u64,
    depth_max: usize,
}

impl Canary {
    /// The patterns for `secret` (at least 4 bytes, or base64 patterns would match by chance).
    pub fn new(secret: &[u8]) -> Option<Canary> {
        Canary::with_limits(secret, DECODED_MAX, DEPTH_MAX)
    }

    /// As [`Canary::new`], with other bounds (the tests use small ones).
    pub fn with_limits(secret: &[u8], decoded_max: u64, depth_max: usize) -> Option<Canary> {
        if secret.len() < 4 {
            return None;
        }
        let hex_lower: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let hex_upper = hex_lower.to_uppercase();
        let raw_patterns = vec![secret.to_vec(), hex_lower.clone().into_bytes(), hex_upper.clone().into_bytes()];
        let raw_kinds = vec![Encoding::Plain, Encoding::Hex, Encoding::Hex];
        let mut joined_patterns: Vec<Vec<u8>> = vec![hex_lower.clone().into_bytes(), hex_upper.into_bytes()];
        let mut joined_kinds = vec![Encoding::Hex, Encoding::Hex];
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
                joined_patterns.push(url);
                joined_kinds.push(Encoding::Base64);
            }
            joined_patterns.push(core);
            joined_kinds.push(Encoding::Base64);
        }
        let magics: [&[u8]; 5] =
            [&[0x1f, 0x8b, 0x08], b"BZh", &[0xfd, b'7', b'z', b'X', b'Z', 0], &[0x28, 0xb5, 0x2f, 0xfd], b"PK\x03\x04"];
        let magic64: Vec<Vec<u8>> = magics.iter().map(|m| base64_core(m, 0)).collect();
        Some(Canary {
            raw: AhoCorasick::new(&raw_patterns).ok()?,
            raw_kinds,
            joined: AhoCorasick::new(&joined_patterns).ok()?,
            joined_kinds,
            dump: AhoCorasick::new([hex_lower.as_bytes()]).ok()?,
            magic64: AhoCorasick::new(&magic64).ok()?,
            keep: secret.len() * 8 + 256,
            decoded_max,
            depth_max,
        })
    }

    /// Searches a file's content, opening the containers it is or holds. Reads the stream to
    /// its end only when nothing is found earlier. An error reading `r` itself is returned; a
    /// corrupt container inside ends the search of that container only.
    pub fn find_in<R: Read>(&self, mut r: R, size: u64) -> io::Result<Outcome> {
        let scan = Scan { canary: self, budget: Cell::new(self.decoded_max), limits: RefCell::new(Vec::new()) };
        let found = scan.file(&mut r, size, 0)?.map(Found);
        Ok(Outcome { found, limits: scan.limits.into_inner() })
    }

    /// Searches text held in memory (the image config); says how the secret was written.
    pub fn find_in_text(&self, text: &str) -> Option<String> {
        self.find_in(text.as_bytes(), text.len() as u64).ok().and_then(|o| o.found).map(|f| f.0)
    }
}

/// The search of one file: its bounds, shared by every container nested in it.
struct Scan<'c> {
    canary: &'c Canary,
    /// Decoded bytes still allowed.
    budget: Cell<u64>,
    limits: RefCell<Vec<String>>,
}

impl Scan<'_> {
    fn limit(&self, what: String) {
        let mut limits = self.limits.borrow_mut();
        if !limits.contains(&what) {
            limits.push(what);
        }
    }

    /// Searches `r`, and what it holds when it starts like a container. (Readers are trait
    /// objects from here on: each level of nesting would otherwise be a new type.)
    fn file(&self, r: &mut dyn Read, size: u64, depth: usize) -> io::Result<Option<String>> {
        let mut head = Vec::with_capacity(512);
        r.take(512).read_to_end(&mut head)?;
        let mut whole = io::Cursor::new(head.clone()).chain(r);
        let kind = Container::of(&head);
        if kind.is_some() && depth >= self.canary.depth_max {
            self.limit(format!("containers nested deeper than {} were not opened", self.canary.depth_max));
        }
        let Some(kind) = kind.filter(|_| depth < self.canary.depth_max) else {
            return self.search(&mut whole, depth);
        };
        let inside = |found: Option<String>, label: &str| found.map(|f| format!("{f} in {label}"));
        // A corrupt or cut container ends its own search: what was read so far counted.
        Ok(match kind {
            Container::Gzip => {
                inside(self.nested(&mut GzMembers::new(whole), depth).unwrap_or(None), "gzip-compressed data")
            }
            Container::Zlib => inside(
                self.nested(&mut flate2::read::ZlibDecoder::new(whole), depth).unwrap_or(None),
                "zlib-compressed data",
            ),
            Container::Bzip2 => inside(
                self.nested(&mut bzip2::read::MultiBzDecoder::new(whole), depth).unwrap_or(None),
                "bzip2-compressed data",
            ),
            Container::Xz => {
                let kb = (WINDOW_MAX >> 10) as u32;
                let mut xz = lzma_rust2::XzReader::new_mem_limit(whole, true, kb);
                let found = match self.nested(&mut xz, depth) {
                    Err(e) if e.kind() == io::ErrorKind::OutOfMemory => {
                        self.limit(format!(
                            "an xz stream asking for a dictionary over {} MiB was not opened",
                            WINDOW_MAX >> 20
                        ));
                        None
                    }
                    searched => searched.unwrap_or(None),
                };
                inside(found, "xz-compressed data")
            }
            Container::Zstd => {
                let window = zstd_window(&head).unwrap_or(u64::MAX);
                if window > WINDOW_MAX {
                    self.limit(format!(
                        "a zstd stream asking for a window over {} MiB was not opened",
                        WINDOW_MAX >> 20
                    ));
                    return self.search(&mut whole, depth);
                }
                match ruzstd::decoding::StreamingDecoder::new(whole) {
                    Ok(mut z) => inside(self.nested(&mut z, depth).unwrap_or(None), "zstd-compressed data"),
                    Err(_) => None,
                }
            }
            Container::Tar => self.tar(&mut whole, depth).unwrap_or(None),
            Container::Zip => {
                if size > ZIP_MAX {
                    self.limit(format!("zip archives over {} MiB were searched as is, not opened", ZIP_MAX >> 20));
                    return self.search(&mut whole, depth);
                }
                let mut bytes = Vec::with_capacity(size as usize);
                whole.take(ZIP_MAX).read_to_end(&mut bytes)?;
                if let Some(found) = self.search(&mut bytes.as_slice(), depth)? {
                    return Ok(Some(format!("{found} in a zip archive")));
                }
                self.zip_members(&bytes, depth)?
            }
        })
    }

    /// Searches the output of a decoder, charged to the budget, one level deeper.
    fn nested(&self, decoded: &mut dyn Read, depth: usize) -> io::Result<Option<String>> {
        self.file(&mut Metered { inner: decoded, scan: self }, u64::MAX, depth + 1)
    }

    fn tar(&self, r: &mut dyn Read, depth: usize) -> io::Result<Option<String>> {
        let mut archive = tar::Archive::new(r);
        for entry in archive.entries()? {
            let mut entry = entry?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            let size = entry.size();
            if let Some(found) = self.file(&mut entry, size, depth + 1)? {
                return Ok(Some(format!("{found} in the tar member {name}")));
            }
        }
        Ok(None)
    }

    /// Walks a zip's local file headers and searches each member: stored, deflated, or in a
    /// stream format recognised by its magic number (bzip2, xz, zstd members).
    fn zip_members(&self, zip: &[u8], depth: usize) -> io::Result<Option<String>> {
        let finder = memchr::memmem::Finder::new(b"PK\x03\x04");
        for at in finder.find_iter(zip) {
            let field = |off: usize| -> Option<usize> {
                let b = zip.get(at + off..at + off + 2)?;
                Some(u16::from_le_bytes([b[0], b[1]]) as usize)
            };
            let (Some(flags), Some(method), Some(name_len), Some(extra_len)) =
                (field(6), field(8), field(26), field(28))
            else {
                continue;
            };
            let Some(mut data) = zip.get(at + 30 + name_len + extra_len..) else { continue };
            // The compressed size, unless a data descriptor after the data gives it (flag 3) or
            // the header says 0 for a compressed member (which cannot be empty): then the rest.
            let size = zip.get(at + 18..at + 22).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
            match size {
                Some(size) if flags & 8 == 0 && (size > 0 || method == 0) => data = &data[..size.min(data.len())],
                _ => {}
            }
            if data.is_empty() {
                continue;
            }
            let found = if method == 8 {
                let mut inflated = flate2::read::DeflateDecoder::new(data);
                self.nested(&mut inflated, depth).unwrap_or(None).map(|f| format!("{f} in a deflated zip member"))
            } else {
                self.file(&mut &data[..], data.len() as u64, depth + 1)
                    .unwrap_or(None)
                    .map(|f| format!("{f} in a zip member"))
            };
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// One pass over a stream. Each chunk is searched with the last `keep` bytes of the one
    /// before, in four views: the raw bytes (plain and hex), the bytes without line breaks
    /// (base64, wrapped hex), the hex digits of hex-dump lines (straight and as swapped 16-bit
    /// words), and the percent-decoded bytes. Base64 text that starts like a container, or a
    /// file that is base64 from its first byte, is collected, decoded and searched one level
    /// deeper.
    fn search(&self, r: &mut dyn Read, depth: usize) -> io::Result<Option<String>> {
        let c = self.canary;
        let mut window: Vec<u8> = Vec::with_capacity(CHUNK + c.keep);
        let mut view: Vec<u8> = Vec::with_capacity(CHUNK + c.keep);
        let mut words: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; CHUNK];
        // Bytes of the stream before `window[0]`.
        let mut window_at: u64 = 0;
        // Base64 text being collected, and the stream offset up to which runs were looked for.
        let mut run: Option<Vec<u8>> = None;
        let mut runs_seen_to: u64 = 0;
        let mut first = true;
        loop {
            let n = match r.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let new_from = window.len();
            window.extend_from_slice(&chunk[..n]);

            if let Some(m) = c.raw.find(&window[..]) {
                return Ok(Some(c.raw_kinds[m.pattern().as_usize()].as_str().to_string()));
            }
            view.clear();
            view.extend(window.iter().copied().filter(|b| *b != b'\n' && *b != b'\r'));
            if let Some(m) = c.joined.find(&view[..]) {
                return Ok(Some(c.joined_kinds[m.pattern().as_usize()].as_str().to_string()));
            }
            undump(&window, &mut view, &mut words);
            if c.dump.is_match(&view[..]) {
                return Ok(Some(Encoding::HexDump.as_str().to_string()));
            }
            if c.dump.is_match(&words[..]) {
                return Ok(Some(Encoding::HexDumpWords.as_str().to_string()));
            }
            if memchr::memchr(b'%', &window).is_some() {
                percent_decode(&window, &mut view);
                if let Some(m) = c.raw.find(&view[..]) {
                    if c.raw_kinds[m.pattern().as_usize()] == Encoding::Plain {
                        return Ok(Some(Encoding::Percent.as_str().to_string()));
                    }
                }
            }

            // Base64 runs: continue the one being collected, or start one.
            if depth < c.depth_max {
                let mut from = new_from;
                if first && looks_base64(&window) {
                    run = Some(Vec::new());
                    from = 0;
                }
                first = false;
                loop {
                    if run.is_none() {
                        let start = (runs_seen_to.saturating_sub(window_at) as usize).min(window.len());
                        let Some(m) = c.magic64.find(&window[start..]) else {
                            // A magic number cut by the chunk's end is looked for again.
                            let to = window_at + window.len().saturating_sub(8) as u64;
                            runs_seen_to = runs_seen_to.max(to);
                            break;
                        };
                        from = start + m.start();
                        run = Some(Vec::new());
                    }
                    let collected = run.as_mut().expect("a run is being collected");
                    let (ended, used) = collect_base64(&window[from..], collected);
                    runs_seen_to = window_at + (from + used) as u64;
                    if !ended {
                        break;
                    }
                    if collected.len() >= RUN_MAX {
                        self.limit(format!("base64 text past {} MiB in one run was not decoded", RUN_MAX >> 20));
                    }
                    let text = run.take().expect("a run was being collected");
                    if let Some(found) = self.decoded_base64(&text, depth)? {
                        return Ok(Some(found));
                    }
                    from += used;
                }
            }

            if window.len() > c.keep {
                let cut = window.len() - c.keep;
                window.drain(..cut);
                window_at += cut as u64;
            }
        }
        if let Some(text) = run.take() {
            return self.decoded_base64(&text, depth);
        }
        Ok(None)
    }

    fn decoded_base64(&self, text: &[u8], depth: usize) -> io::Result<Option<String>> {
        let decoded = base64_decode(text);
        if decoded.len() < 4 {
            return Ok(None);
        }
        let found = self.nested(&mut decoded.as_slice(), depth).unwrap_or(None);
        Ok(found.map(|f| format!("{f} in base64-encoded text")))
    }
}

/// A decoder's output, charged to the file's budget of decoded bytes.
struct Metered<'s, 'c, R> {
    inner: R,
    scan: &'s Scan<'c>,
}

impl<R: Read> Read for Metered<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.scan.budget.get();
        if left == 0 {
            self.scan.limit(format!(
                "decompressed or decoded data past {} MiB was not searched",
                self.scan.canary.decoded_max >> 20
            ));
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.scan.budget.set(left - n as u64);
        Ok(n)
    }
}

/// The members of a gzip file, one after the other (`cat a.gz b.gz` is a valid gzip file), up
/// to the first bytes that do not start another member: trailing bytes (the end of a base64
/// run decoded with the text after it) end the stream instead of failing it, as they do with
/// flate2's `MultiGzDecoder`, which then loses what the last member's final read decoded.
struct GzMembers<R: Read> {
    member: Option<flate2::bufread::GzDecoder<io::BufReader<R>>>,
}

impl<R: Read> GzMembers<R> {
    fn new(r: R) -> Self {
        GzMembers { member: Some(flate2::bufread::GzDecoder::new(io::BufReader::new(r))) }
    }
}

impl<R: Read> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use io::BufRead;
        while let Some(member) = self.member.as_mut() {
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let mut rest = self.member.take().expect("a member is being read").into_inner();
            if rest.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
                self.member = Some(flate2::bufread::GzDecoder::new(rest));
            }
        }
        Ok(0)
    }
}

/// The containers opened, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Gzip,
    Zlib,
    Bzip2,
    Xz,
    Zstd,
    Tar,
    Zip,
}

impl Container {
    fn of(head: &[u8]) -> Option<Container> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Container::Gzip)
        } else if head.len() >= 2
            && head[0] == 0x78
            && matches!(head[1], 0x01 | 0x5e | 0x9c | 0xda)
            && u16::from_be_bytes([head[0], head[1]]) % 31 == 0
        {
            // zlib (`zlib.deflateSync`, `pigz -z`): deflate, 32 KiB window, the header checksum.
            Some(Container::Zlib)
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && head[3].is_ascii_digit()
            && head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
        {
            Some(Container::Bzip2)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Container::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Container::Zstd)
        } else if head.starts_with(b"PK\x03\x04") {
            Some(Container::Zip)
        } else if head.get(257..262) == Some(b"ustar") {
            Some(Container::Tar)
        } else {
            None
        }
    }
}

/// The window a zstd frame asks for (RFC 8878, 3.1.1.1): from its window descriptor, or its
/// content size when the frame is a single segment.
fn zstd_window(frame: &[u8]) -> Option<u64> {
    let descriptor = *frame.get(4)?;
    if descriptor & 0x20 == 0 {
        let w = *frame.get(5)?;
        let base = 1u64 << (10 + (w >> 3));
        return Some(base + (base / 8) * u64::from(w & 7));
    }
    let dictionary = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let at = 5 + dictionary;
    Some(match descriptor >> 6 {
        0 => u64::from(*frame.get(at)?),
        1 => u64::from(u16::from_le_bytes(frame.get(at..at + 2)?.try_into().ok()?)) + 256,
        2 => u64::from(u32::from_le_bytes(frame.get(at..at + 4)?.try_into().ok()?)),
        _ => u64::from_le_bytes(frame.get(at..at + 8)?.try_into().ok()?),
    })
}

/// Reduces the lines of `text` that read like a hex dump to their hex digits, lowercase, in
/// `straight` as they are and in `words` with the bytes of each 16-bit word swapped (`od -x`
/// prints little-endian words). A line is an optional offset (`00000010:` or at least six hex
/// digits), then groups of hex digits of one even width (`0x` and a trailing comma, as `xxd -i`
/// writes them, are dropped); the first other token (the ASCII column) ends the line's data.
fn undump(text: &[u8], straight: &mut Vec<u8>, words: &mut Vec<u8>) {
    straight.clear();
    words.clear();
    for line in text.split(|b| *b == b'\n') {
        let mut tokens = line.split(|b| *b == b' ' || *b == b'\t').filter(|t| !t.is_empty()).peekable();
        let Some(&first) = tokens.peek() else { continue };
        let all_hex = |t: &[u8]| !t.is_empty() && t.iter().all(u8::is_ascii_hexdigit);
        let is_offset = first.ends_with(b":") || (first.len() >= 6 && all_hex(first));
        if is_offset && (first.ends_with(b":") || line.len() > first.len() + 1) {
            tokens.next();
        }
        let mut width = 0;
        for token in tokens {
            let token = token.strip_suffix(b",").unwrap_or(token);
            let token = token.strip_prefix(b"0x").or_else(|| token.strip_prefix(b"0X")).unwrap_or(token);
            if !all_hex(token) || token.len() % 2 != 0 {
                break;
            }
            if width == 0 {
                width = token.len();
            } else if token.len() > width {
                break;
            }
            straight.extend(token.iter().map(u8::to_ascii_lowercase));
            if token.len() == 4 {
                words.extend(token[2..].iter().chain(&token[..2]).map(u8::to_ascii_lowercase));
            }
            if token.len() < width {
                break;
            }
        }
    }
}

/// `%41` -> `A`; everything else as is.
fn percent_decode(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            if let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

/// A file that is base64 text from its first byte: its first 64 bytes (or all of it) are
/// base64 characters and line breaks, 16 of them at least.
fn looks_base64(head: &[u8]) -> bool {
    let head = &head[..head.len().min(64)];
    head.len() >= 16 && head.iter().all(|b| is_base64_char(*b) || *b == b'\n' || *b == b'\r')
}

/// Appends the base64 characters of `text` to `run` up to the first other byte, or the first
/// byte after padding (`KEY=H4sI...` is two runs); line breaks are skipped. Returns whether
/// the run ended, and the bytes of `text` used.
fn collect_base64(text: &[u8], run: &mut Vec<u8>) -> (bool, usize) {
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' || b == b'\r' {
            continue;
        }
        let after_padding = run.last() == Some(&b'=') && b != b'=';
        if !is_base64_char(b) || after_padding || run.len() >= RUN_MAX {
            return (true, i);
        }
        run.push(b);
    }
    (false, text.len())
}

/// Decodes base64 in either alphabet; padding and anything after it in a group is ignored.
fn base64_decode(text: &[u8]) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in text {
        let Some(v) = value(c) else { break };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
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
#[path = "canary_tests.rs"]
mod tests;
