//! TLS: the rustls client configuration (ring), its root certificates (Mozilla's from
//! `webpki-roots`, extra PEM bundles, the platform's with the `native-roots` feature) and
//! ALPN.

use super::TransportError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;

/// Reads the certificates of a PEM bundle. An unreadable file, a malformed PEM section or a
/// file with no certificate is an error naming the file.
pub(crate) fn load_pem_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let bytes = std::fs::read(path).map_err(|e| {
        TransportError::other(format!(
            "the CA bundle {} could not be read: {}",
            path.display(),
            e.kind()
        ))
        .with_source(e)
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            TransportError::other(format!(
                "the CA bundle {} is not valid PEM: {e}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(TransportError::other(format!(
            "the CA bundle {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The root store: Mozilla's roots, then `extra` (each must parse as a trust anchor), then
/// the platform's when `native` (those that fail to parse are skipped with a warning).
pub(crate) fn root_store(
    extra: &[(String, Vec<CertificateDer<'static>>)],
    native: bool,
) -> Result<rustls::RootCertStore, TransportError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for (origin, certs) in extra {
        for cert in certs {
            roots.add(cert.clone()).map_err(|e| {
                TransportError::other(format!(
                    "the CA bundle {origin} holds an unusable certificate: {e}"
                ))
            })?;
        }
    }
    if native {
        add_native_roots(&mut roots)?;
    }
    Ok(roots)
}

#[cfg(feature = "native-roots")]
fn add_native_roots(roots: &mut rustls::RootCertStore) -> Result<(), TransportError> {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::warn!(target: "anvil_runtime::http", "loading the platform's root certificates: {e}");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::warn!(
            target: "anvil_runtime::http",
            "ignored {ignored} unusable platform root certificates ({added} added)"
        );
    }
    Ok(())
}

#[cfg(not(feature = "native-roots"))]
fn add_native_roots(_: &mut rustls::RootCertStore) -> Result<(), TransportError> {
    Err(TransportError::other(
        "the platform's root certificates need the `native-roots` feature of anvil-runtime",
    ))
}

/// The client configuration: ring, the safe default protocol versions and `roots`. ALPN is
/// left to hyper-rustls's connector builder (`h2` and `http/1.1` with the `http2` feature,
/// none otherwise).
pub(crate) fn client_config(
    roots: rustls::RootCertStore,
) -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::other(format!("TLS configuration failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, contents: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("anvil-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }

    #[test]
    fn bundle_errors_name_the_file() {
        let missing = Path::new("/nonexistent/anvil/ca.pem");
        let err = load_pem_bundle(missing).expect_err("missing");
        assert!(err.is_other(), "{err:?}");
        assert!(
            err.to_string().contains("/nonexistent/anvil/ca.pem"),
            "{err}"
        );

        let empty = temp("empty.pem", b"no certificates here\n");
        let err = load_pem_bundle(&empty).expect_err("no certificate");
        assert!(err.to_string().contains("empty.pem"), "{err}");
        assert!(err.to_string().contains("no certificate"), "{err}");

        let broken = temp(
            "broken.pem",
            b"-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
        );
        let err = load_pem_bundle(&broken).expect_err("bad base64");
        assert!(err.to_string().contains("broken.pem"), "{err}");
        assert!(err.to_string().contains("not valid PEM"), "{err}");
    }

    #[test]
    fn roots_start_from_webpki_roots() {
        let roots = root_store(&[], false).expect("roots");
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        let config = client_config(roots).expect("config");
        assert!(
            config.alpn_protocols.is_empty(),
            "set by the connector builder"
        );
    }

    #[cfg(not(feature = "native-roots"))]
    #[test]
    fn native_roots_need_the_feature() {
        let err = root_store(&[], true).expect_err("feature off");
        assert!(err.to_string().contains("native-roots"), "{err}");
    }
}
