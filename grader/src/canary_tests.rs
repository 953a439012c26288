//! The canary search against each encoding, most of them written by the real tools (the files
//! in `tests/fixtures/canary/`, made from one `.env` with `xxd`, `hexdump`, `od`, `bzip2`, `xz`,
//! `zstd`, `tar`, `zip` and `base64`), and against its bounds.

use std::io::Write;

use super::*;

const SECRET: &str = "canary-ex7-8d41f2c09b7e4a65";

fn outcome(canary: &Canary, content: &[u8]) -> Outcome {
    canary.find_in(content, content.len() as u64).unwrap()
}

fn found(content: &[u8]) -> Option<String> {
    outcome(&Canary::new(SECRET.as_bytes()).unwrap(), content).found.map(|f| f.0)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// What `base64` (coreutils) prints: 76 columns.
fn wrapped_base64(data: &[u8]) -> Vec<u8> {
    let one_line = base64(data);
    let lines: Vec<&str> = one_line.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    (lines.join("\n") + "\n").into_bytes()
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/canary/", $name)).as_slice()
    };
}

#[test]
fn base64_matches_the_reference_encoder_and_decodes_back() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    for data in [&b"f"[..], b"fo", b"foo", b"foobar", &[0xfb, 0xff, 0x00, 0x3e]] {
        assert_eq!(base64_decode(base64(data).as_bytes()), data);
    }
    assert_eq!(base64_decode(b"-_8"), base64_decode(b"+/8"), "the URL alphabet");
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

    let gz = gzip(format!("WEBHOOK_SECRET={SECRET}\n").as_bytes());
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
fn hex_dumps_of_every_common_layout_are_found() {
    for (name, dump) in [
        ("xxd", fixture!("env.xxd")),
        ("xxd -u", fixture!("env.xxd-u")),
        ("xxd -i", fixture!("env.xxd-i")),
        ("hexdump -C", fixture!("env.hexdump-C")),
        ("od -An -tx1", fixture!("env.od-tx1")),
    ] {
        assert_eq!(found(dump).as_deref(), Some("in a hex dump"), "{name}");
    }
    // `xxd -p` wraps plain hex at 60 columns.
    assert_eq!(found(fixture!("env.xxd-p")).as_deref(), Some("hex-encoded"), "xxd -p");
    for (name, dump) in [("od -x", fixture!("env.od-x")), ("hexdump", fixture!("env.hexdump"))] {
        assert_eq!(found(dump).as_deref(), Some("in a hex dump of 16-bit words (od -x)"), "{name}");
    }
}

/// `xxd`'s layout, as the fixture shows it.
fn xxd(data: &[u8]) -> String {
    let mut out = String::new();
    for (i, line) in data.chunks(16).enumerate() {
        let hex: Vec<String> = line.chunks(2).map(|w| w.iter().map(|b| format!("{b:02x}")).collect()).collect();
        let ascii: String = line.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
        out.push_str(&format!("{:08x}: {:<40} {ascii}\n", i * 16, hex.join(" ")));
    }
    out
}

#[test]
fn a_hex_dump_of_something_else_is_not_taken_for_the_secret() {
    let env = "PORT=3000\nWEBHOOK_SECRET=canary-ex7-8d41f2c09b7e4a65\nLOG=info\n";
    assert_eq!(xxd(env.as_bytes()).as_bytes(), fixture!("env.xxd"), "the helper writes what xxd writes");
    let other = env.replace("4a65", "4a66");
    assert_eq!(found(xxd(other.as_bytes()).as_bytes()), None);
}

#[test]
fn percent_encoded_copies_are_found() {
    let all: String = SECRET.bytes().map(|b| format!("%{b:02X}")).collect();
    assert_eq!(found(format!("url=https://x/?s={all}").as_bytes()).as_deref(), Some("percent-encoded"));
    let some = SECRET.replace('-', "%2d").replace('a', "%61");
    assert_eq!(found(format!("s={some}").as_bytes()).as_deref(), Some("percent-encoded"));
}

#[test]
fn bzip2_xz_and_zstd_streams_are_opened() {
    assert_eq!(found(fixture!("env.bz2")).as_deref(), Some("as is in bzip2-compressed data"));
    assert_eq!(found(fixture!("env.xz")).as_deref(), Some("as is in xz-compressed data"));
    assert_eq!(found(fixture!("env.zst")).as_deref(), Some("as is in zstd-compressed data"));
}

#[test]
fn zlib_streams_are_opened() {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(format!("S={SECRET}\n").as_bytes()).unwrap();
    assert_eq!(found(&z.finish().unwrap()).as_deref(), Some("as is in zlib-compressed data"));
}

#[test]
fn tar_archives_and_compressed_tarballs_are_opened() {
    for (name, tarball) in [
        ("gzip", fixture!("app.tar.gz")),
        ("bzip2", fixture!("app.tar.bz2")),
        ("xz", fixture!("app.tar.xz")),
        ("zstd", fixture!("app.tar.zst")),
    ] {
        assert_eq!(
            found(tarball).as_deref(),
            Some(format!("as is in the tar member app/.env in {name}-compressed data").as_str()),
            "{name}"
        );
    }
    let mut plain_tar = Vec::new();
    flate2::read::GzDecoder::new(fixture!("app.tar.gz")).read_to_end(&mut plain_tar).unwrap();
    assert_eq!(found(&plain_tar).as_deref(), Some("as is in the tar member app/.env"));
    let mut tar = tar::Builder::new(Vec::new());
    let member = gzip(format!("S={SECRET}\n").as_bytes());
    let mut header = tar::Header::new_gnu();
    header.set_size(member.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, "app/env.gz", member.as_slice()).unwrap();
    let tar = tar.into_inner().unwrap();
    assert_eq!(found(&tar).as_deref(), Some("as is in gzip-compressed data in the tar member app/env.gz"));
}

#[test]
fn zip_members_in_other_formats_are_opened() {
    assert_eq!(found(fixture!("app-bzip2.zip")).as_deref(), Some("as is in bzip2-compressed data in a zip member"));
}

#[test]
fn base64_of_compressed_data_and_compressed_base64_are_found() {
    assert_eq!(found(fixture!("env.gz.b64")).as_deref(), Some("as is in gzip-compressed data in base64-encoded text"));
    assert_eq!(found(fixture!("env.b64.gz")).as_deref(), Some("base64-encoded in gzip-compressed data"));
    // Two gzip members, the secret in the second (`cat a.gz b.gz`), then stray bytes.
    let mut members = gzip(b"nothing here\n");
    members.extend_from_slice(&gzip(format!("S={SECRET}\n").repeat(2).as_bytes()));
    members.extend_from_slice(b"\x10\x40");
    assert_eq!(found(&members).as_deref(), Some("as is in gzip-compressed data"));
    // Base64 of a gzip stream in the middle of a line, wrapped, after other text.
    // (Repeated, so deflate codes it: a stored block would hold the secret's bytes as they are.)
    let gz = gzip(format!("WEBHOOK_SECRET={SECRET}\n").repeat(3).as_bytes());
    let mut text = b"# settings\nBLOB=".to_vec();
    text.extend_from_slice(&wrapped_base64(&gz));
    text.extend_from_slice(b"END\n");
    assert_eq!(found(&text).as_deref(), Some("as is in gzip-compressed data in base64-encoded text"));
    // What `{ printf BLOB=; gzip | base64; } > file` writes (ex7's cheat-base64-of-gzip): the
    // file starts like base64 text, up to the `=`.
    let mut blob = b"BLOB=".to_vec();
    blob.extend_from_slice(&wrapped_base64(&gz));
    assert_eq!(found(&blob).as_deref(), Some("as is in gzip-compressed data in base64-encoded text"));
    // Base64 of an xz'd tarball.
    assert_eq!(
        found(&wrapped_base64(fixture!("app.tar.xz"))).as_deref(),
        Some("as is in the tar member app/.env in xz-compressed data in base64-encoded text")
    );
}

#[test]
fn a_copy_across_the_chunk_boundary_is_found_in_every_view() {
    let hex: String = SECRET.bytes().map(|b| format!("{b:02x}")).collect();
    let dump: String =
        SECRET.as_bytes().chunks(2).map(|w| format!("{:02x}{:02x} ", w[0], *w.get(1).unwrap_or(&0))).collect();
    let gz64 = wrapped_base64(&gzip(SECRET.as_bytes()));
    for (what, copy, how) in [
        ("base64", base64(SECRET.as_bytes()).into_bytes(), "base64-encoded"),
        ("hex", hex.into_bytes(), "hex-encoded"),
        ("dump", format!("00000000: {dump}\n").into_bytes(), "in a hex dump"),
        ("gzip in base64", gz64, "as is in gzip-compressed data in base64-encoded text"),
    ] {
        for before in [CHUNK - 40, CHUNK - 5, CHUNK - 1, CHUNK] {
            let mut big = vec![b'.'; before];
            big.push(b'\n');
            big.extend_from_slice(&copy);
            big.extend_from_slice(b"\n...");
            assert_eq!(found(&big).as_deref(), Some(how), "{what} at {before}");
        }
    }
}

#[test]
fn near_misses_are_not_found() {
    assert_eq!(found(b"canary-ex7-8d41f2c09b7e4a6"), None);
    assert_eq!(found(base64(b"canary-ex7-8d41f2c09b7e4a6").as_bytes()), None);
    assert_eq!(found(&gzip(b"canary-ex7-8d41f2c09b7e4a6")), None);
    assert_eq!(found(&[0u8; 200_000]), None);
    assert_eq!(found(&wrapped_base64(&[7u8; 100_000])), None);
    // Broken containers end their own search, quietly.
    let mut cut = gzip(format!("{}{SECRET}", "x".repeat(100_000)).as_bytes());
    cut.truncate(60);
    assert_eq!(found(&cut), None);
    assert_eq!(found(b"BZh91AY&SYgarbage"), None);
    assert_eq!(found(&[0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff]), None);
}

#[test]
fn a_compression_bomb_stops_at_the_byte_bound_and_says_so() {
    let canary = Canary::with_limits(SECRET.as_bytes(), 1 << 20, DEPTH_MAX).unwrap();
    // 4 MiB of zeros, then the secret: past the 1 MiB bound.
    let mut data = vec![0u8; 4 << 20];
    data.extend_from_slice(SECRET.as_bytes());
    let bomb = gzip(&data);
    assert!(bomb.len() < 64 << 10);
    let out = outcome(&canary, &bomb);
    assert_eq!(out.found, None);
    assert_eq!(out.limits, vec!["decompressed or decoded data past 1 MiB was not searched".to_string()]);
    // The bound is per file, shared by nested containers: two bombs in one tar spend it once.
    let mut tar = tar::Builder::new(Vec::new());
    for name in ["a.gz", "b.gz"] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bomb.len() as u64);
        tar.append_data(&mut header, name, bomb.as_slice()).unwrap();
    }
    let out = outcome(&canary, &tar.into_inner().unwrap());
    assert_eq!(out.found, None);
    assert_eq!(out.limits.len(), 1);
    // Under the bound, the same secret is found.
    let small = gzip(&data[(3 << 20) + (512 << 10)..]);
    assert_eq!(outcome(&canary, &small).found, Some(Found("as is in gzip-compressed data".into())));
}

#[test]
fn nesting_stops_at_the_depth_bound_and_says_so() {
    let mut nested = format!("S={SECRET}\n").into_bytes();
    for _ in 0..3 {
        nested = gzip(&nested);
    }
    let canary = Canary::with_limits(SECRET.as_bytes(), DECODED_MAX, 3).unwrap();
    assert_eq!(
        outcome(&canary, &nested).found,
        Some(Found("as is in gzip-compressed data in gzip-compressed data in gzip-compressed data".into()))
    );
    let deeper = gzip(&nested);
    let out = outcome(&canary, &deeper);
    assert_eq!(out.found, None);
    assert_eq!(out.limits, vec!["containers nested deeper than 3 were not opened".to_string()]);
    // Base64 counts as a level too.
    let out = outcome(&canary, &wrapped_base64(&nested));
    assert_eq!(out.found, None);
    assert_eq!(out.limits, vec!["containers nested deeper than 3 were not opened".to_string()]);
}

#[test]
fn an_xz_stream_asking_for_a_huge_dictionary_is_not_opened() {
    // `xz --lzma2=dict=128MiB` of the same .env.
    let out = outcome(&Canary::new(SECRET.as_bytes()).unwrap(), fixture!("env.dict128m.xz"));
    assert_eq!(out.found, None);
    assert_eq!(out.limits, vec!["an xz stream asking for a dictionary over 64 MiB was not opened".to_string()]);
}

#[test]
fn the_zstd_window_is_read_from_the_frame_header() {
    // zstd -q of a small file: a single segment, the content size is the window.
    assert_eq!(zstd_window(fixture!("env.zst")), Some(62));
    assert_eq!(zstd_window(&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]), Some(1 << 10));
    assert_eq!(zstd_window(&[0x28, 0xb5, 0x2f, 0xfd, 0x00, (3 << 3) | 4]), Some((1 << 13) + (1 << 12)));
    assert_eq!(zstd_window(&[0x28, 0xb5, 0x2f, 0xfd]), None);
}

#[test]
fn a_zstd_stream_asking_for_a_huge_window_is_not_opened() {
    // Frame header: magic, descriptor 0 (window descriptor follows), window descriptor with
    // exponent 20: a 2^30-byte window.
    let frame = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0, 0, 0];
    let out = outcome(&Canary::new(SECRET.as_bytes()).unwrap(), &frame);
    assert_eq!(out.found, None);
    assert_eq!(out.limits, vec!["a zstd stream asking for a window over 64 MiB was not opened".to_string()]);
}
