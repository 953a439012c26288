//! TLS to a `tcp://` engine, as the docker CLI does it (docker/cli `cli/context/docker/load.go`):
//! with a CA file, the server must chain to that CA alone; without one, to the system's roots;
//! with `SkipTLSVerify`/`DOCKER_TLS` (no `DOCKER_TLS_VERIFY`) the server is not verified at all.
//! A client certificate is sent when both `cert.pem` and `key.pem` exist.

use std::path::Path;
use std::sync::Arc;

use bollard::Docker;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::{ConnectError, Tls};

pub(super) fn client(authority: &str, tls: &Tls, timeout: u64) -> Result<Docker, ConnectError> {
    let config = config(tls)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(std::time::Duration::from_secs(10)));
    let https = hyper_rustls::HttpsConnector::from((http, config));
    // No idle connections kept, as bollard's own transports do.
    let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build(https);
    let transport = move |request: bollard::BollardRequest| {
        let client = client.clone();
        async move { client.request(request).await.map_err(bollard::errors::Error::from) }
    };
    Ok(Docker::connect_with_custom_transport(
        transport,
        Some(format!("https://{authority}")),
        timeout,
        bollard::API_DEFAULT_VERSION,
    )?)
}

/// One TLS handshake and one `GET /_ping` by hand, to learn why a request failed: with TLS 1.3
/// the engine rejects a client certificate only after the client's handshake is done, and
/// hyper may then report only a closed connection ("connection was not ready") instead of the
/// engine's alert. Reading the answer here surfaces the alert. `None`: this attempt worked.
pub(super) async fn probe(authority: &str, tls: &Tls) -> Option<std::io::Error> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = config(tls).ok()?;
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h).trim_matches(['[', ']']);
    let name = ServerName::try_from(host.to_string()).ok()?;
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(authority).await?;
        let mut stream = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await?;
        stream.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n").await?;
        let mut answer = Vec::new();
        (&mut stream).take(4096).read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(10), attempt).await {
        Ok(Err(e)) => Some(e),
        _ => None,
    }
}

fn config(tls: &Tls) -> Result<rustls::ClientConfig, ConnectError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions");
    let builder = if tls.verify {
        let mut roots = rustls::RootCertStore::empty();
        match &tls.ca {
            Some(ca) => {
                for cert in certificates(ca)? {
                    roots.add(cert).map_err(|e| material(ca, format!("not a usable CA certificate ({e})")))?;
                }
            }
            None => {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            }
        }
        builder.with_root_certificates(roots)
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(Unverified(provider)))
    };
    let config = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => {
            let chain = certificates(cert)?;
            let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                material(key, format!("no private key could be read ({e}); an encrypted key is not supported"))
            })?;
            builder.with_client_auth_cert(chain, key_der).map_err(|e| {
                material(cert, format!("this certificate and {} do not make a pair ({e})", key.display()))
            })?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(config)
}

fn material(path: &Path, problem: String) -> ConnectError {
    ConnectError::TlsMaterial { path: path.display().to_string(), problem }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    std::fs::metadata(path).map_err(|e| material(path, format!("cannot be read ({e})")))?;
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| material(path, format!("not PEM certificates ({e})")))?;
    if certs.is_empty() {
        return Err(material(path, "holds no PEM certificate".into()));
    }
    Ok(certs)
}

/// `SkipTLSVerify`: any server certificate is accepted (the handshake's signatures are still
/// checked, so the connection is encrypted to whoever holds that certificate's key).
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
