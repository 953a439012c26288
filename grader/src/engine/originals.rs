//! Reading a few named files out of an image for an `absent` check's `copies_of`: a container
//! is created from the image (never started, no network), each file fetched through the
//! engine's archive endpoint (links followed), its size and SHA-256 kept, and the container
//! removed on every path. No export of the image: only the named files cross the connection.

use anyhow::{Context, Result};
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptionsBuilder, DownloadFromContainerOptionsBuilder};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::io::Read;
use workbook::spec::COPIES_OF_MAX_BYTES;

use super::Engine;
use crate::facts::image::{Original, Originals};

/// Links followed at most from one named path.
const HOPS_MAX: usize = 8;

/// What the archive endpoint gave for one path.
enum Fetched {
    File(Original),
    Link(String),
    Missing,
}

impl Engine {
    /// The size and SHA-256 of each of `paths` in `image`; paths it lacks are listed as missing.
    pub async fn read_originals(&self, image: &str, paths: &[String]) -> Result<Originals> {
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: Some(vec!["true".into()]),
            entrypoint: Some(vec![]),
            network_disabled: Some(true),
            labels: Some(self.labels()),
            host_config: Some(HostConfig { network_mode: Some("none".into()), ..Default::default() }),
            ..Default::default()
        };
        let name = format!("grader-{}-originals", self.run_id);
        let opts = CreateContainerOptionsBuilder::default().name(&name).build();
        let created = self
            .docker
            .create_container(Some(opts), body)
            .await
            .with_context(|| format!("creating a container from {image} to read the files copies_of names"))?;
        self.register_container(&created.id);
        let read = self.read_all(&created.id, paths).await;
        self.remove_container(&created.id).await;
        let (files, missing) = read?;
        Ok(Originals { image: image.to_string(), files, missing })
    }

    async fn read_all(&self, id: &str, paths: &[String]) -> Result<(Vec<Original>, Vec<String>)> {
        let (mut files, mut missing) = (Vec::new(), Vec::new());
        for named in paths {
            let mut at = named.clone();
            let mut found = None;
            for _ in 0..HOPS_MAX {
                match self.fetch(id, &at).await? {
                    Fetched::File(mut f) => {
                        f.path = named.clone();
                        found = Some(f);
                        break;
                    }
                    Fetched::Link(target) => at = resolve_link(&at, &target),
                    Fetched::Missing => break,
                }
            }
            match found {
                Some(f) => files.push(f),
                None => missing.push(named.clone()),
            }
        }
        Ok((files, missing))
    }

    /// One path through the archive endpoint (a tar of that one entry), at most
    /// [`COPIES_OF_MAX_BYTES`] of it.
    async fn fetch(&self, id: &str, path: &str) -> Result<Fetched> {
        let opts = DownloadFromContainerOptionsBuilder::default().path(path).build();
        let mut stream = self.docker.download_from_container(id, Some(opts));
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => tar.extend_from_slice(&bytes),
                Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
                    return Ok(Fetched::Missing)
                }
                Err(e) => return Err(e).with_context(|| format!("reading {path} from a container")),
            }
            if tar.len() as u64 > COPIES_OF_MAX_BYTES + (1 << 20) {
                return Ok(Fetched::Missing);
            }
        }
        entry_of(&tar).with_context(|| format!("reading the archive of {path}"))
    }
}

/// The first entry of the archive endpoint's tar: a regular file (hashed), a link, or neither.
fn entry_of(tar: &[u8]) -> std::io::Result<Fetched> {
    let mut archive = tar::Archive::new(tar);
    let Some(entry) = archive.entries()?.next() else { return Ok(Fetched::Missing) };
    let mut entry = entry?;
    let t = entry.header().entry_type();
    if t.is_symlink() {
        let target = entry.link_name()?.map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
        return Ok(Fetched::Link(target));
    }
    if !t.is_file() || entry.size() > COPIES_OF_MAX_BYTES {
        return Ok(Fetched::Missing);
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = entry.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok(Fetched::File(Original { path: String::new(), size, sha256: hasher.finalize().into() }))
}

/// A link's target as an absolute path: absolute as is, else relative to the link's folder
/// (`..` resolved, never above `/`).
fn resolve_link(link: &str, target: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !target.starts_with('/') {
        parts.extend(link.rsplit_once('/').map_or("", |(dir, _)| dir).split('/').filter(|p| !p.is_empty()));
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_their_folder() {
        assert_eq!(resolve_link("/usr/bin/gcc", "gcc-14"), "/usr/bin/gcc-14");
        assert_eq!(resolve_link("/usr/bin/cc", "/etc/alternatives/cc"), "/etc/alternatives/cc");
        assert_eq!(resolve_link("/usr/bin/x", "../lib/../../../y"), "/y");
    }

    #[test]
    fn a_file_entry_is_hashed_and_a_link_is_followed() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o755);
        b.append_data(&mut h, "make", &b"abc"[..]).unwrap();
        let tar = b.into_inner().unwrap();
        let Fetched::File(f) = entry_of(&tar).unwrap() else { panic!("not a file") };
        // SHA-256("abc"), FIPS 180-2's example.
        let hex: String = f.sha256.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!((f.size, hex.as_str()), (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "gcc", "gcc-14").unwrap();
        let tar = b.into_inner().unwrap();
        assert!(matches!(entry_of(&tar).unwrap(), Fetched::Link(t) if t == "gcc-14"));
        assert!(matches!(entry_of(&[0u8; 1024]).unwrap(), Fetched::Missing));
    }
}
