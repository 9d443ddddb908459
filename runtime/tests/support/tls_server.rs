//! The TLS side of local test servers: the fixture certificate and key as a rustls server
//! configuration offering the given ALPN protocols. Shared by the TLS and HTTP/2 transport
//! tests (`#[path]`-included).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::Arc;

/// A file of `runtime/tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A server configuration with the fixture certificate, offering `alpn`.
pub fn server_config(alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .expect("server.pem")
        .collect::<Result<_, _>>()
        .expect("certificates");
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).expect("server.key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("certificate and key");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// A client trusting the fixture CA (`ca.pem`) besides the default roots.
#[allow(dead_code)] // Each test file uses some of it.
pub fn with_ca() -> anvil_runtime::http::HyperClient {
    anvil_runtime::http::HyperClient::builder()
        .ca_bundle(fixture("ca.pem"))
        .build()
        .expect("valid bundle")
}
