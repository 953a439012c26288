//! Where the engine is, resolved the way the docker CLI resolves it (docker/cli
//! `cli/command/cli.go`, `cli/flags/options.go`, `cli/context/docker/load.go`):
//!
//! 1. `DOCKER_HOST`, with TLS when `DOCKER_TLS_VERIFY` (any non-empty value: verify the server)
//!    or `DOCKER_TLS` (encrypt only) is set, the material being `ca.pem`, `cert.pem` and
//!    `key.pem` in `DOCKER_CERT_PATH`, else in the config directory (`DOCKER_CONFIG`, else
//!    `~/.docker`);
//! 2. else the docker context named by `DOCKER_CONTEXT`, else by `currentContext` in
//!    `config.json`: its endpoint in `contexts/meta/<sha256 of name>/meta.json` (`Host`,
//!    `SkipTLSVerify`) and its TLS material in `contexts/tls/<sha256 of name>/docker/`;
//! 3. else the default socket (`tcp://localhost:2376` when the TLS variables ask for TLS).
//!
//! Reading files is all it does; [`super::connect`] makes the client.

use std::fmt;
use std::path::PathBuf;

use anyhow::Result;

use crate::error::advice;

pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// A resolved engine address: where, how (TLS or not), and what chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineAddress {
    pub endpoint: Endpoint,
    /// TLS for a `tcp://` endpoint; `None` is plain HTTP (and always for unix and ssh).
    pub tls: Option<Tls>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// `host:port`.
    Tcp(String),
    Ssh(SshHost),
}

/// `ssh://[user@]host[:port][/socket]`: the engine behind `docker system dial-stdio` on that host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshHost {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// The engine's socket on the remote host, when not its default.
    pub socket: Option<String>,
}

/// TLS material, as files (the docker CLI's env variables and contexts both keep files).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    /// The CA the server's certificate must chain to; `None`: the system's roots.
    pub ca: Option<PathBuf>,
    /// The client certificate and its key, when the engine asks for one (`--tlsverify`).
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Check the server's certificate (`DOCKER_TLS_VERIFY`, a context without `SkipTLSVerify`).
    pub verify: bool,
}

/// What chose the address, for messages and `grader doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The `DOCKER_HOST` variable.
    DockerHost,
    /// A docker context, and what selected it (`DOCKER_CONTEXT`, `config.json`, or given).
    Context { name: String, selected_by: &'static str },
    /// Given explicitly (`EngineAddress::parse` of a host).
    Given,
    /// Nothing set: the default socket.
    Default,
}

impl EngineAddress {
    /// The engine the docker CLI would use in this environment.
    pub fn from_environment() -> Result<EngineAddress> {
        let env = Env::process();
        resolve(&env)
    }

    /// An engine named on a command line: a host (`unix://…`, `tcp://…`, `http://…`,
    /// `https://…`, `ssh://…`, or a bare `host:port`, which is TCP like `docker -H`) or the name
    /// of a docker context (`default` is the environment's engine without its context). TLS for
    /// a TCP host comes from the TLS variables, as for `docker -H`; `https://` always uses TLS.
    pub fn parse(text: &str) -> Result<EngineAddress> {
        let env = Env::process();
        parse_with(&env, text)
    }

    /// The docker context `name`.
    pub fn context(name: &str) -> Result<EngineAddress> {
        let env = Env::process();
        context(&env, name, "given")
    }

    /// The address as a URL, e.g. `tcp://127.0.0.1:2376`.
    pub fn url(&self) -> String {
        match &self.endpoint {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Tcp(a) => format!("tcp://{a}"),
            Endpoint::Ssh(s) => {
                let user = s.user.as_deref().map(|u| format!("{u}@")).unwrap_or_default();
                let port = s.port.map(|p| format!(":{p}")).unwrap_or_default();
                format!("ssh://{user}{}{port}{}", s.host, s.socket.as_deref().unwrap_or(""))
            }
        }
    }

    /// How the engine is reached, in a line: transport, TLS material, what chose it.
    /// E.g. `TLS, server verified against /certs/client/ca.pem, client certificate
    /// /certs/client/cert.pem · from DOCKER_HOST`.
    pub fn how(&self) -> String {
        let transport = match (&self.endpoint, &self.tls) {
            (Endpoint::Unix(_), _) => "unix socket".to_string(),
            (Endpoint::Ssh(_), _) => "ssh, `docker system dial-stdio` on the remote host".to_string(),
            (Endpoint::Tcp(_), None) => "TCP without TLS (plain HTTP)".to_string(),
            (Endpoint::Tcp(_), Some(t)) => {
                let server = match (&t.ca, t.verify) {
                    (_, false) => "server certificate NOT verified".to_string(),
                    (Some(ca), true) => format!("server verified against {}", ca.display()),
                    (None, true) => "server verified against the system's CAs".to_string(),
                };
                let client = match &t.cert {
                    Some(c) => format!("client certificate {}", c.display()),
                    None => "no client certificate".to_string(),
                };
                format!("TLS, {server}, {client}")
            }
        };
        let from = match &self.source {
            Source::DockerHost => "from DOCKER_HOST".to_string(),
            Source::Context { name, selected_by } => format!("docker context `{name}` ({selected_by})"),
            Source::Given => "given".to_string(),
            Source::Default => "the default (no DOCKER_HOST, no docker context)".to_string(),
        };
        format!("{transport} · {from}")
    }

    /// The environment that makes the docker CLI (run by the grader, e.g. the offline kit)
    /// reach this same engine: `(name, Some(value))` to set, `(name, None)` to remove.
    pub fn cli_env(&self) -> Vec<(&'static str, Option<String>)> {
        if let Source::Context { name, .. } = &self.source {
            return vec![
                ("DOCKER_HOST", None),
                ("DOCKER_TLS_VERIFY", None),
                ("DOCKER_TLS", None),
                ("DOCKER_CONTEXT", Some(name.clone())),
            ];
        }
        let mut env = vec![("DOCKER_HOST", Some(self.url())), ("DOCKER_CONTEXT", None)];
        match &self.tls {
            None => env.extend([("DOCKER_TLS_VERIFY", None), ("DOCKER_TLS", None)]),
            Some(t) => {
                env.push(("DOCKER_TLS_VERIFY", t.verify.then(|| "1".to_string())));
                env.push(("DOCKER_TLS", Some("1".to_string())));
                let dir = [&t.ca, &t.cert, &t.key].into_iter().flatten().find_map(|p| p.parent());
                if let Some(dir) = dir {
                    env.push(("DOCKER_CERT_PATH", Some(dir.display().to_string())));
                }
            }
        }
        env
    }
}

impl EngineAddress {
    /// Whether the engine runs on this machine (a unix socket, a loopback address): the ports
    /// it publishes are then reachable at 127.0.0.1.
    pub fn is_local(&self) -> bool {
        let host = match &self.endpoint {
            Endpoint::Unix(_) => return true,
            Endpoint::Tcp(authority) => split_port(authority).map(|(h, _)| h.to_string()).unwrap_or_default(),
            Endpoint::Ssh(s) => s.host.clone(),
        };
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The address the engine publishes a probed container port on: 127.0.0.1 when the engine
    /// is local (nothing else on the network sees the learner's app), all of the engine host's
    /// interfaces when it is remote (GitLab's docker:dind service, an ssh host), since its
    /// loopback cannot be reached from here.
    pub fn publish_ip(&self) -> &'static str {
        if self.is_local() {
            "127.0.0.1"
        } else {
            "0.0.0.0"
        }
    }

    /// The host to connect to for a port the engine published: 127.0.0.1, or the remote
    /// engine's host (`docker` for `tcp://docker:2376`).
    pub fn probe_host(&self) -> String {
        match &self.endpoint {
            _ if self.is_local() => "127.0.0.1".to_string(),
            Endpoint::Tcp(authority) => split_port(authority).map(|(h, _)| h.to_string()).unwrap_or_default(),
            Endpoint::Ssh(s) => s.host.clone(),
            Endpoint::Unix(_) => "127.0.0.1".to_string(),
        }
    }
}

impl fmt::Display for EngineAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

/// Reads one environment variable (`None` when unset or empty).
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// The variables and files resolution reads, so tests can give their own.
pub(crate) struct Env {
    vars: Lookup,
    home: Option<PathBuf>,
}

impl Env {
    fn process() -> Env {
        Env {
            vars: Box::new(|k| std::env::var(k).ok().filter(|v| !v.is_empty())),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    #[cfg(test)]
    pub(crate) fn fixed(vars: &[(&str, &str)], home: &std::path::Path) -> Env {
        let vars: std::collections::HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env { vars: Box::new(move |k| vars.get(k).cloned()), home: Some(home.to_path_buf()) }
    }

    fn var(&self, name: &str) -> Option<String> {
        (self.vars)(name)
    }

    /// `DOCKER_CONFIG`, else `~/.docker`.
    fn config_dir(&self) -> Option<PathBuf> {
        self.var("DOCKER_CONFIG").map(PathBuf::from).or_else(|| self.home.as_ref().map(|h| h.join(".docker")))
    }

    /// TLS as the variables ask for it (docker/cli `SetDefaultOptions`).
    fn tls(&self) -> Option<Tls> {
        let verify = self.var("DOCKER_TLS_VERIFY").is_some();
        if !verify && self.var("DOCKER_TLS").is_none() {
            return None;
        }
        Some(self.cert_path_tls(verify))
    }

    fn cert_path_tls(&self, verify: bool) -> Tls {
        let dir = self.var("DOCKER_CERT_PATH").map(PathBuf::from).or_else(|| self.config_dir());
        let file = |name: &str| dir.as_ref().map(|d| d.join(name)).filter(|p| p.exists());
        let (cert, key) = match (file("cert.pem"), file("key.pem")) {
            (Some(c), Some(k)) => (Some(c), Some(k)),
            _ => (None, None),
        };
        // Verifying needs the CA: the CLI keeps its default path even when the file is missing,
        // and fails on reading it ("could not read CA certificate"); so does the grader.
        let ca = if verify { dir.map(|d| d.join("ca.pem")) } else { file("ca.pem") };
        Tls { ca, cert, key, verify }
    }
}

pub(crate) fn resolve(env: &Env) -> Result<EngineAddress> {
    if let Some(host) = env.var("DOCKER_HOST") {
        return host_address(env, &host, Source::DockerHost);
    }
    if let Some(name) = env.var("DOCKER_CONTEXT") {
        return context(env, &name, "DOCKER_CONTEXT");
    }
    if let Some(name) = current_context(env)? {
        return context(env, &name, "currentContext in config.json");
    }
    default(env)
}

pub(crate) fn parse_with(env: &Env, text: &str) -> Result<EngineAddress> {
    let text = text.trim();
    if text.contains("://") || text.contains(':') {
        host_address(env, text, Source::Given)
    } else if text == "default" {
        match env.var("DOCKER_HOST") {
            Some(host) => host_address(env, &host, Source::DockerHost),
            None => default(env),
        }
    } else if text.is_empty() {
        Err(advice("an empty engine address: give a host (unix://…, tcp://…, ssh://…) or a docker context name"))
    } else {
        context(env, text, "given")
    }
}

fn default(env: &Env) -> Result<EngineAddress> {
    match env.tls() {
        Some(tls) => Ok(EngineAddress {
            endpoint: Endpoint::Tcp("localhost:2376".into()),
            tls: Some(tls),
            source: Source::Default,
        }),
        None => {
            Ok(EngineAddress { endpoint: Endpoint::Unix(DEFAULT_SOCKET.into()), tls: None, source: Source::Default })
        }
    }
}

/// A host string (docker/cli `opts.ParseHost`), with TLS from the variables for TCP.
fn host_address(env: &Env, host: &str, source: Source) -> Result<EngineAddress> {
    let bad = |why: &str| {
        advice(format!(
            "{host} is not an engine address the grader can use ({why}).\nUse unix:///path/to/docker.sock, \
             tcp://host:port (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS), https://host:port, \
             ssh://user@host, or the name of a docker context (`docker context ls`)."
        ))
    };
    let (scheme, rest) = host.split_once("://").unwrap_or(("tcp", host));
    let address = |endpoint, tls| Ok(EngineAddress { endpoint, tls, source: source.clone() });
    match scheme {
        "unix" => {
            let path = if rest.is_empty() { DEFAULT_SOCKET } else { rest };
            address(Endpoint::Unix(path.into()), None)
        }
        "tcp" | "http" | "https" => {
            let tls = match scheme {
                "https" => {
                    Some(env.tls().map(|t| Tls { verify: true, ..t }).unwrap_or_else(|| env.cert_path_tls(true)))
                }
                "http" => None,
                _ => env.tls(),
            };
            let authority = rest.trim_end_matches('/');
            if authority.contains('/') {
                return Err(bad("a TCP address has no path"));
            }
            let default_port = if tls.is_some() { 2376 } else { 2375 };
            let (h, port) = split_port(authority).map_err(|e| bad(&e))?;
            let h = if h.is_empty() { "localhost" } else { h };
            address(Endpoint::Tcp(format!("{h}:{}", port.unwrap_or(default_port))), tls)
        }
        "ssh" => address(Endpoint::Ssh(ssh_host(rest).map_err(|e| bad(&e))?), None),
        "npipe" => Err(bad("a Windows named pipe; the grader runs here on a Unix system")),
        "fd" => Err(bad("fd:// is for the engine's own systemd socket activation, not for clients")),
        other => Err(bad(&format!("unknown scheme `{other}`"))),
    }
}

/// `host[:port]`, with `[v6]:port`.
fn split_port(authority: &str) -> std::result::Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or("an unclosed `[` in an IPv6 address")?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = port.map(|p| p.parse::<u16>().map_err(|_| format!("`{p}` is not a port number"))).transpose()?;
    Ok((host, port))
}

/// `[user@]host[:port][/socket]` (docker/cli `connhelper/ssh.NewSpec`).
fn ssh_host(rest: &str) -> std::result::Result<SshHost, String> {
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if rest.contains('?') || rest.contains('#') {
        return Err("query parameters and fragments are not allowed in an ssh:// address".into());
    }
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if user.is_some_and(|u| u.contains(':')) {
        return Err("a password in the address is not supported: use a key (ssh-agent or ~/.ssh/config)".into());
    }
    let (host, port) = split_port(hostport)?;
    if host.is_empty() {
        return Err("no host name".into());
    }
    let socket = Some(path).filter(|p| !p.trim_matches('/').is_empty()).map(str::to_string);
    Ok(SshHost { user: user.map(str::to_string), host: host.to_string(), port, socket })
}

/// `currentContext` in config.json, unless it is absent, empty or `default`.
fn current_context(env: &Env) -> Result<Option<String>> {
    let Some(dir) = env.config_dir() else { return Ok(None) };
    let path = dir.join("config.json");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let config: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        advice(format!("{} is not valid JSON ({e}): fix it, or set DOCKER_HOST to choose the engine", path.display()))
    })?;
    Ok(config.get("currentContext").and_then(|c| c.as_str()).filter(|n| !n.is_empty()).map(str::to_string))
}

/// The directory name the docker CLI keeps a context under: the SHA-256 of its name, in hex.
pub fn context_dir_name(name: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(name.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn context(env: &Env, name: &str, selected_by: &'static str) -> Result<EngineAddress> {
    if name == "default" {
        return default(env).map(|a| EngineAddress { source: Source::Context { name: name.into(), selected_by }, ..a });
    }
    let Some(dir) = env.config_dir() else {
        return Err(advice(format!(
            "docker context `{name}` is selected ({selected_by}) but there is no home directory to find it in: \
             set DOCKER_CONFIG, or DOCKER_HOST"
        )));
    };
    let id = context_dir_name(name);
    let meta = dir.join("contexts/meta").join(&id).join("meta.json");
    let text = std::fs::read_to_string(&meta).map_err(|e| {
        let problem = if e.kind() == std::io::ErrorKind::NotFound {
            format!("there is no docker context `{name}` in {}", dir.display())
        } else {
            format!("docker context `{name}` cannot be read: {} ({e})", meta.display())
        };
        advice(format!(
            "{problem} (selected by {selected_by}).\n`docker context ls` lists the contexts; `docker context use \
             default` (or unsetting DOCKER_CONTEXT) goes back to the default engine."
        ))
    })?;
    let meta_json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| advice(format!("{} (docker context `{name}`) is not valid JSON: {e}", meta.display())))?;
    let endpoint = meta_json.pointer("/Endpoints/docker");
    let host = endpoint.and_then(|e| e.get("Host")).and_then(|h| h.as_str()).unwrap_or("");
    let skip_verify = endpoint.and_then(|e| e.get("SkipTLSVerify")).and_then(|s| s.as_bool()).unwrap_or(false);
    let source = Source::Context { name: name.into(), selected_by };
    let mut address = if host.is_empty() {
        EngineAddress { endpoint: Endpoint::Unix(DEFAULT_SOCKET.into()), tls: None, source }
    } else {
        // A context's TLS comes from the context alone, never from the TLS variables.
        let no_tls_env = Env { vars: Box::new(|_| None), home: None };
        host_address(&no_tls_env, host, source)?
    };
    if let Endpoint::Tcp(_) = address.endpoint {
        let tls_dir = dir.join("contexts/tls").join(&id).join("docker");
        let file = |n: &str| Some(tls_dir.join(n)).filter(|p| p.exists());
        let (ca, cert, key) = (file("ca.pem"), file("cert.pem"), file("key.pem"));
        let material = ca.is_some() || cert.is_some() || key.is_some();
        if material || skip_verify || address.tls.is_some() {
            let (cert, key) = if cert.is_some() && key.is_some() { (cert, key) } else { (None, None) };
            address.tls = Some(Tls { ca, cert, key, verify: !skip_verify });
        }
    }
    Ok(address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn docker_host_wins_and_tls_comes_from_the_variables() {
        let home = tempfile::tempdir().unwrap();
        let certs = home.path().join("certs");
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            write(&certs.join(f), "x");
        }
        let env = Env::fixed(
            &[
                ("DOCKER_HOST", "tcp://127.0.0.1:2376"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", certs.to_str().unwrap()),
                ("DOCKER_CONTEXT", "elsewhere"),
            ],
            home.path(),
        );
        let a = resolve(&env).unwrap();
        assert_eq!(a.endpoint, Endpoint::Tcp("127.0.0.1:2376".into()));
        assert_eq!(a.source, Source::DockerHost);
        let tls = a.tls.unwrap();
        assert!(tls.verify);
        assert_eq!(tls.ca.unwrap(), certs.join("ca.pem"));
        assert_eq!(tls.key.unwrap(), certs.join("key.pem"));
    }

    #[test]
    fn the_cli_defaults_under_dot_docker_and_plain_tcp() {
        let home = tempfile::tempdir().unwrap();
        write(&home.path().join(".docker/ca.pem"), "x");
        // DOCKER_TLS alone: encrypted, not verified; no cert.pem, so no client certificate.
        let env = Env::fixed(&[("DOCKER_HOST", "tcp://build:2376"), ("DOCKER_TLS", "1")], home.path());
        let tls = resolve(&env).unwrap().tls.unwrap();
        assert_eq!((tls.verify, tls.ca.is_some(), tls.cert), (false, true, None));
        // No TLS variable: plain HTTP, default port 2375; TLS defaults to 2376.
        let env = Env::fixed(&[("DOCKER_HOST", "tcp://build")], home.path());
        let a = resolve(&env).unwrap();
        assert_eq!((a.endpoint, a.tls), (Endpoint::Tcp("build:2375".into()), None));
        let env = Env::fixed(&[("DOCKER_TLS_VERIFY", "1")], home.path());
        assert_eq!(resolve(&env).unwrap().url(), "tcp://localhost:2376");
        let env = Env::fixed(&[], home.path());
        assert_eq!(resolve(&env).unwrap().url(), "unix:///var/run/docker.sock");
        // https:// always verifies; a bare host:port is TCP.
        let a = parse_with(&env, "https://dind:2376").unwrap();
        assert!(a.tls.as_ref().is_some_and(|t| t.verify));
        assert_eq!(parse_with(&env, "dind:2376").unwrap().url(), "tcp://dind:2376");
        assert!(parse_with(&env, "npipe:////./pipe/docker_engine").is_err());
        assert!(parse_with(&env, "tcp://host:notaport").is_err());
    }

    #[test]
    fn a_context_brings_its_host_and_tls_material() {
        let home = tempfile::tempdir().unwrap();
        let dot = home.path().join(".docker");
        let id = context_dir_name("ci");
        write(
            &dot.join("contexts/meta").join(&id).join("meta.json"),
            r#"{"Name":"ci","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":false}}}"#,
        );
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            write(&dot.join("contexts/tls").join(&id).join("docker").join(f), "x");
        }
        write(&dot.join("config.json"), r#"{"currentContext":"ci"}"#);
        // The TLS variables do not apply to a context.
        let env = Env::fixed(&[("DOCKER_TLS", "1")], home.path());
        let a = resolve(&env).unwrap();
        assert_eq!(a.url(), "tcp://10.0.0.5:2376");
        assert_eq!(a.source, Source::Context { name: "ci".into(), selected_by: "currentContext in config.json" });
        let tls = a.tls.clone().unwrap();
        assert!(tls.verify && tls.ca.is_some() && tls.cert.is_some());
        assert!(a.how().contains("docker context `ci`"), "{}", a.how());
        assert!(a.cli_env().contains(&("DOCKER_CONTEXT", Some("ci".into()))));
        // SkipTLSVerify without material: TLS, not verified. DOCKER_CONTEXT beats config.json.
        let id = context_dir_name("lab");
        write(
            &dot.join("contexts/meta").join(&id).join("meta.json"),
            r#"{"Name":"lab","Endpoints":{"docker":{"Host":"tcp://lab:2376","SkipTLSVerify":true}}}"#,
        );
        let env = Env::fixed(&[("DOCKER_CONTEXT", "lab")], home.path());
        let a = resolve(&env).unwrap();
        assert_eq!(a.tls, Some(Tls { verify: false, ..Tls::default() }));
        // A context that does not exist is named, with where it was looked for.
        let env = Env::fixed(&[("DOCKER_CONTEXT", "gone")], home.path());
        let e = resolve(&env).unwrap_err().to_string();
        assert!(e.contains("no docker context `gone`") && e.contains("DOCKER_CONTEXT") && e.contains(".docker"), "{e}");
        // `default` is the environment's engine.
        let env = Env::fixed(&[("DOCKER_CONTEXT", "default")], home.path());
        assert_eq!(resolve(&env).unwrap().url(), "unix:///var/run/docker.sock");
    }

    #[test]
    fn ssh_addresses_are_parsed_like_the_docker_cli() {
        let home = tempfile::tempdir().unwrap();
        let env = Env::fixed(&[], home.path());
        let a = parse_with(&env, "ssh://grader@build.example:2222/run/user/1000/docker.sock").unwrap();
        assert_eq!(
            a.endpoint,
            Endpoint::Ssh(SshHost {
                user: Some("grader".into()),
                host: "build.example".into(),
                port: Some(2222),
                socket: Some("/run/user/1000/docker.sock".into())
            })
        );
        assert_eq!(a.url(), "ssh://grader@build.example:2222/run/user/1000/docker.sock");
        assert!(parse_with(&env, "ssh://u:secret@host").is_err());
        assert!(parse_with(&env, "ssh://").is_err());
    }

    #[test]
    fn a_remote_engine_publishes_probed_ports_where_they_can_be_reached() {
        let home = tempfile::tempdir().unwrap();
        let env = Env::fixed(&[], home.path());
        let dind = parse_with(&env, "tcp://docker:2376").unwrap();
        assert_eq!((dind.publish_ip(), dind.probe_host().as_str()), ("0.0.0.0", "docker"));
        let ssh = parse_with(&env, "ssh://me@build.example").unwrap();
        assert_eq!(ssh.probe_host(), "build.example");
        for local in
            ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2376", "ssh://root@localhost:2222", "tcp://[::1]:2375"]
        {
            let a = parse_with(&env, local).unwrap();
            assert_eq!((a.publish_ip(), a.probe_host().as_str()), ("127.0.0.1", "127.0.0.1"), "{local}");
        }
    }

    #[test]
    fn the_docker_cli_gets_the_same_engine() {
        let home = tempfile::tempdir().unwrap();
        let certs = home.path().join("c");
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            write(&certs.join(f), "x");
        }
        let env = Env::fixed(
            &[
                ("DOCKER_HOST", "tcp://h:2376"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", certs.to_str().unwrap()),
            ],
            home.path(),
        );
        let env = resolve(&env).unwrap().cli_env();
        assert!(env.contains(&("DOCKER_HOST", Some("tcp://h:2376".into()))));
        assert!(env.contains(&("DOCKER_TLS_VERIFY", Some("1".into()))));
        assert!(env.contains(&("DOCKER_CERT_PATH", Some(certs.display().to_string()))));
        assert!(env.contains(&("DOCKER_CONTEXT", None)));
    }
}
