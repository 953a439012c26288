//! Why the engine could not be reached, and what to do: the address and the real cause (no
//! socket, permission on it, nothing listening, TLS on one side only, a certificate the other
//! side rejects, ssh refusing the login) instead of one "Docker is not running" for all.
//! [`cause`] reads the error chain by type; [`advice`] is a pure function of the address and
//! the cause.

use crate::engine::connect::{ConnectError, Endpoint, EngineAddress};

/// What went wrong, as far as the client can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// No socket file at the path: the engine is not running (or runs elsewhere).
    NoSocket,
    /// The socket exists but this user may not open it.
    PermissionDenied,
    /// Nothing accepts connections at that host and port.
    Refused,
    /// The host name does not resolve.
    UnknownHost,
    /// The engine speaks TLS and was sent plain HTTP ("Client sent an HTTP request to an HTTPS
    /// server", Go's answer).
    HttpToHttps,
    /// TLS was sent to an engine that speaks plain HTTP.
    TlsToPlain,
    /// The server's certificate was rejected (by the CA, the name, or its dates): rustls' reason.
    ServerCertificate(String),
    /// The engine rejected the client's certificate, or wanted one and got none: the alert.
    ClientCertificate(String),
    /// A TLS file that cannot be used: its path and what is wrong with it.
    TlsMaterial(String),
    /// `ssh` is not installed.
    NoSshClient,
    /// ssh (or `docker` on the remote host) failed: what it printed.
    Ssh(String),
    /// What answered is not HTTP: not an engine, or (through ssh) a login that prints something.
    NotHttp,
    /// No answer within the wait.
    NoAnswer(std::time::Duration),
    /// Anything else, as the error said it.
    Other(String),
}

/// The cause of a failure to make the client or to get the engine's first answer.
pub fn cause(error: &(dyn std::error::Error + 'static)) -> Cause {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(c) = e.downcast_ref::<ConnectError>() {
            match c {
                ConnectError::NoSocket(_) => return Cause::NoSocket,
                ConnectError::TlsMaterial { .. } => return Cause::TlsMaterial(c.to_string()),
                ConnectError::Bollard(b) => return cause(b),
            }
        }
        match e.downcast_ref::<bollard::errors::Error>() {
            // Go's net/http answers a plain request on a TLS port with this 400 body.
            Some(bollard::errors::Error::DockerResponseServerError { message, .. })
                if message.contains("Client sent an HTTP request to an HTTPS server") =>
            {
                return Cause::HttpToHttps
            }
            // A transparent wrapper: its `source()` skips the io::Error itself.
            Some(bollard::errors::Error::IOError { err }) => return cause(err),
            _ => {}
        }
        if let Some(s) = e.downcast_ref::<crate::engine::connect::SshFailed>() {
            return Cause::Ssh(s.0.clone());
        }
        if e.downcast_ref::<crate::engine::connect::NoSshClient>().is_some() {
            return Cause::NoSshClient;
        }
        if e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_parse) {
            return Cause::NotHttp;
        }
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return tls_cause(t);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            // The inner error of an io::Error (rustls', ssh's) is not its `source()`.
            if let Some(inner) = io.get_ref() {
                let inner: &(dyn std::error::Error + 'static) = inner;
                let c = cause(inner);
                if !matches!(c, Cause::Other(_)) {
                    return c;
                }
            }
            match io.kind() {
                std::io::ErrorKind::PermissionDenied => return Cause::PermissionDenied,
                std::io::ErrorKind::ConnectionRefused => return Cause::Refused,
                std::io::ErrorKind::NotFound => return Cause::NoSocket,
                _ => {}
            }
            // getaddrinfo's failure has no kind of its own; hyper's connector wraps it as
            // "dns error" around this message.
            if io.to_string().contains("failed to lookup address information") {
                return Cause::UnknownHost;
            }
        }
        next = e.source();
    }
    Cause::Other(chain(error))
}

fn tls_cause(e: &rustls::Error) -> Cause {
    use rustls::{AlertDescription as A, Error as E};
    match e {
        E::InvalidCertificate(reason) => Cause::ServerCertificate(format!("{reason:?}")),
        E::InvalidMessage(_) | E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            Cause::TlsToPlain
        }
        E::AlertReceived(a @ (A::CertificateRequired | A::BadCertificate | A::UnknownCA | A::CertificateUnknown)) => {
            Cause::ClientCertificate(format!("{a:?}"))
        }
        other => Cause::Other(other.to_string()),
    }
}

/// The error and its sources in one line, without repeats.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The message for an engine that could not be reached: where, why, and what to do.
pub fn advice(address: &EngineAddress, cause: &Cause) -> String {
    let at = address.to_string();
    let how = address.how();
    let tls_vars = "DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH=<folder with ca.pem, cert.pem, key.pem>";
    let body = match cause {
        Cause::NoSocket => format!(
            "Docker is not running, or not at {at}: there is no socket there.\nStart Docker: open Docker Desktop, \
             or on Linux run `sudo systemctl start docker` (or `sudo dockerd &`). If Docker runs elsewhere, set \
             DOCKER_HOST (e.g. DOCKER_HOST=unix:///var/run/docker.sock) or select its `docker context`."
        ),
        Cause::PermissionDenied => format!(
            "permission denied on the Docker socket {at}: Docker runs, but this user may not use it.\nAdd yourself \
             to the docker group (`sudo usermod -aG docker $USER`, then log out and in again), or use rootless \
             Docker and its socket (DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)."
        ),
        Cause::Refused => match address.endpoint {
            Endpoint::Unix(_) => format!(
                "the Docker socket {at} refuses connections: the engine that made it is gone.\nStart Docker again \
                 (`sudo systemctl start docker`, or open Docker Desktop)."
            ),
            _ => format!(
                "nothing accepts connections at {at}.\nCheck that the engine runs there and listens on that port \
                 (2376 is Docker's TLS port, 2375 its plain one; GitLab's docker:dind service listens on 2376 with \
                 TLS)."
            ),
        },
        Cause::UnknownHost => format!("the host name in {at} is unknown (it does not resolve).\nCheck DOCKER_HOST or the docker context's host."),
        Cause::HttpToHttps => format!(
            "the engine at {at} speaks TLS, but the grader was told to use plain HTTP (\"Client sent an HTTP \
             request to an HTTPS server\").\nSet {tls_vars} (GitLab docker:dind: DOCKER_HOST=tcp://docker:2376, \
             DOCKER_TLS_CERTDIR=/certs, DOCKER_CERT_PATH=/certs/client, DOCKER_TLS_VERIFY=1), or select a docker \
             context that has the engine's TLS material."
        ),
        Cause::TlsToPlain => format!(
            "the engine at {at} does not speak TLS, but the grader was told to use it.\nUnset DOCKER_TLS_VERIFY and \
             DOCKER_TLS (and use the engine's plain port, usually 2375), or turn TLS on in the engine."
        ),
        Cause::ServerCertificate(reason) => {
            let ca = address.tls.as_ref().and_then(|t| t.ca.as_ref());
            let against = match ca {
                Some(ca) => format!("the CA in {}", ca.display()),
                None => "the system's CAs (no ca.pem was found)".to_string(),
            };
            format!(
                "the engine at {at} presented a TLS certificate that does not check out against {against} \
                 ({reason}).\nUse the ca.pem of the CA that signed the engine's certificate (DOCKER_CERT_PATH, or \
                 the docker context's TLS material), and an address that the certificate names (its host name or \
                 IP address)."
            )
        }
        Cause::ClientCertificate(alert) => {
            let cert = address.tls.as_ref().and_then(|t| t.cert.as_ref());
            let sent = match cert {
                Some(c) => format!("rejected the client certificate {}", c.display()),
                None => "wants a client certificate and none was found (cert.pem and key.pem)".to_string(),
            };
            format!(
                "the engine at {at} {sent} (TLS alert {alert}).\nPut the client's cert.pem and key.pem, signed by \
                 the CA the engine trusts, beside ca.pem in DOCKER_CERT_PATH (or in the docker context's TLS \
                 material)."
            )
        }
        Cause::TlsMaterial(problem) => format!(
            "the TLS material for {at} cannot be used: {problem}.\nPoint DOCKER_CERT_PATH (or the docker context) at \
             the folder with the engine's ca.pem, cert.pem and key.pem."
        ),
        Cause::NoSshClient => format!(
            "{at} is reached through ssh, and no `ssh` program was found.\nInstall the OpenSSH client (e.g. `sudo \
             apt-get install openssh-client`)."
        ),
        Cause::Ssh(said) => format!(
            "ssh could not reach the engine at {at}; it said:\n    {}\nCheck that `ssh {}` logs in without a \
             password prompt (a key in ssh-agent or ~/.ssh/config) and that `docker version` works there for that \
             user.",
            said.lines().collect::<Vec<_>>().join("\n    "),
            match &address.endpoint {
                Endpoint::Ssh(h) => h.user.as_ref().map(|u| format!("{u}@{}", h.host)).unwrap_or(h.host.clone()),
                _ => String::new(),
            }
        ),
        Cause::NotHttp => match address.endpoint {
            Endpoint::Ssh(_) => format!(
                "what came back through ssh from {at} is not the engine's answer: the remote account prints                  something when it logs in (a message of its shell's startup files, a `nologin` account) or its                  `docker` is not the docker CLI.
Check that `ssh <host> docker system dial-stdio` prints nothing                  before the engine speaks, and that the account may log in."
            ),
            _ => format!("what answers at {at} is not a Docker engine (its answer is not HTTP).
Check the port."),
        },
        Cause::NoAnswer(wait) => format!(
            "the engine at {at} did not answer within {} s.\nCheck that it runs and that nothing (a firewall, a \
             proxy) holds the connection.",
            wait.as_secs()
        ),
        Cause::Other(e) => format!(
            "cannot reach the Docker engine at {at} ({e}).\nCheck that Docker runs (`docker version` shows a \
             server) and that DOCKER_HOST or the docker context names it."
        ),
    };
    format!("{body}\n(engine: {at} · {how})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::connect::{Source, Tls};

    fn tcp(tls: Option<Tls>) -> EngineAddress {
        EngineAddress { endpoint: Endpoint::Tcp("127.0.0.1:2376".into()), tls, source: Source::DockerHost }
    }

    #[test]
    fn an_http_request_to_a_tls_port_says_which_variables_to_set() {
        let e = bollard::errors::Error::DockerResponseServerError {
            status_code: 400,
            message: "Client sent an HTTP request to an HTTPS server.\n".into(),
        };
        let c = cause(&e);
        assert_eq!(c, Cause::HttpToHttps);
        let text = advice(&tcp(None), &c);
        assert!(text.contains("tcp://127.0.0.1:2376") && text.contains("DOCKER_TLS_VERIFY=1"), "{text}");
        assert!(!text.contains("Docker is not running"), "{text}");
    }

    #[test]
    fn io_errors_are_told_apart_by_kind() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(cause(&bollard::errors::Error::from(denied)), Cause::PermissionDenied);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(cause(&refused), Cause::Refused);
        let tls = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert_eq!(cause(&tls), Cause::ServerCertificate("UnknownIssuer".into()));
        let alert = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired),
        );
        let c = cause(&alert);
        assert_eq!(c, Cause::ClientCertificate("CertificateRequired".into()));
        assert!(advice(&tcp(Some(Tls { verify: true, ..Tls::default() })), &c).contains("none was found"));
    }

    #[test]
    fn a_missing_socket_still_says_how_to_start_docker() {
        let a =
            EngineAddress { endpoint: Endpoint::Unix("/nonexistent.sock".into()), tls: None, source: Source::Default };
        let text = advice(&a, &cause(&ConnectError::NoSocket("/nonexistent.sock".into())));
        assert!(text.contains("Docker is not running") && text.contains("systemctl start docker"), "{text}");
        assert!(text.contains("unix:///nonexistent.sock"), "{text}");
    }
}
