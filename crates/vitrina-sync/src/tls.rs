//! TLS to the team's server, as its `sslmode` says (libpq's meanings): `prefer` and `require`
//! encrypt without checking who answers (unless `sslrootcert` names roots to check against);
//! `verify-ca` checks the certificate's chain; `verify-full` checks the chain and the host name.
//! Roots are the system's (the platform verifier) or the `sslrootcert` file's.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Result, SyncError, SyncErrorKind};
use crate::url::{SslMode, TeamUrl};

/// The connector for `url`'s `sslmode`.
pub(crate) fn connector(url: &TeamUrl) -> Result<MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = match &url.sslrootcert {
        Some(path) => Some(read_roots(path)?),
        None => None,
    };
    let verifier: Arc<dyn ServerCertVerifier> = match (url.sslmode, roots) {
        (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => {
            Arc::new(Unchecked { provider: provider.clone() })
        }
        (SslMode::Require | SslMode::VerifyCa, Some(roots)) => {
            Arc::new(ChainOnly(webpki(roots, provider.clone())?))
        }
        (SslMode::VerifyFull, Some(roots)) => webpki(roots, provider.clone())?,
        (SslMode::VerifyCa, None) => Arc::new(ChainOnly(platform(provider.clone())?)),
        (SslMode::VerifyFull, None) => platform(provider.clone())?,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn read_roots(path: &str) -> Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| SyncError::new(SyncErrorKind::BadUrl, format!("sslrootcert {path}: {e}")))?;
    for cert in certs {
        let cert =
            cert.map_err(|e| SyncError::new(SyncErrorKind::BadUrl, format!("sslrootcert {path}: {e}")))?;
        roots.add(cert).map_err(tls_error)?;
    }
    Ok(roots)
}

fn webpki(
    roots: rustls::RootCertStore,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>> {
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| SyncError::new(SyncErrorKind::BadUrl, format!("sslrootcert: {e}")))?;
    Ok(verifier)
}

fn platform(provider: Arc<CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>> {
    Ok(Arc::new(rustls_platform_verifier::Verifier::new(provider).map_err(tls_error)?))
}

fn tls_error(e: TlsError) -> SyncError {
    SyncError::new(SyncErrorKind::Unreachable, format!("TLS: {e}"))
}

/// Encryption without knowing who answers: what libpq's `prefer` and `require` give. The
/// handshake's signatures are still checked, so the session is with the certificate's holder.
#[derive(Debug)]
struct Unchecked {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A verifier's chain check without its host-name check (`verify-ca`).
#[derive(Debug)]
struct ChainOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(TlsError::InvalidCertificate(CertificateError::NotValidForName))
            | Err(TlsError::InvalidCertificate(CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
