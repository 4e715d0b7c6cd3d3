//! FTP and FTPS (explicit TLS, `AUTH TLS`) servers, the kind shared hostings offer. Passive
//! mode, binary type. The file is stored as `.{name}.part-<random>` in the target folder and
//! renamed (RNFR/RNTO) to its name only once the server has confirmed the whole transfer, so
//! the folder holds the previous feed or the new one, whole, never a part.
//!
//! With `secure`, the control connection is encrypted before the password is sent, data
//! connections are encrypted too (`PROT P`), and the server's certificate is verified against
//! the system's roots plus [`DeliverOptions::extra_root_cert`].

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;

use suppaftp::types::FileType;
use suppaftp::{FtpError, RustlsConnector, RustlsFtpStream};

use super::{
    DeliverError, DeliverOptions, FeedFile, Secret, Target, extra_roots, feed_read_error, network_reason,
    probe_name, temp_name, tls_reason,
};

/// The FTP settings of a [`Target`], checked.
#[derive(Debug)]
struct Server<'a> {
    host: &'a str,
    port: u16,
    secure: bool,
    user: &'a str,
    /// Without slashes at its ends; empty is the sign-in folder.
    dir: &'a str,
    password: &'a str,
}

impl<'a> Server<'a> {
    fn from_target(target: &'a Target, secret: &'a Secret) -> Result<Server<'a>, DeliverError> {
        let Target::Ftp { host, port, secure, user, dir, .. } = target else {
            return Err(DeliverError::Settings("the target is not an FTP server".into()));
        };
        let host = host.trim();
        if host.is_empty() || *port == 0 {
            return Err(DeliverError::Settings("the FTP server's name and port are needed".into()));
        }
        // A line break would end the command and start another one.
        if [host, user.as_str(), dir.as_str()].iter().any(|s| s.chars().any(char::is_control)) {
            return Err(DeliverError::Settings("the FTP server, user or folder holds a line break".into()));
        }
        let user = match user.trim() {
            "" => "anonymous",
            user => user,
        };
        let dir = dir.trim().trim_end_matches('/');
        let dir = if dir.is_empty() { "" } else { dir };
        let password = match secret {
            Secret::Password(password) => password.as_str(),
            Secret::None => "",
            Secret::S3 { .. } => {
                return Err(DeliverError::SignIn {
                    place: authority(host, *port),
                    reason: "an S3 key is saved for it instead of a password".into(),
                });
            }
        };
        Ok(Server { host, port: *port, secure: *secure, user, dir, password })
    }

    fn place(&self) -> String {
        authority(self.host, self.port)
    }

    /// `ftp://host[:port]/dir/name`, for the summary.
    fn location(&self, name: &str) -> String {
        let host = if self.port == 21 { self.host.to_owned() } else { self.place() };
        let dir = self.dir.trim_start_matches('/');
        if dir.is_empty() { format!("ftp://{host}/{name}") } else { format!("ftp://{host}/{dir}/{name}") }
    }

    /// The folder, for messages.
    fn folder(&self) -> String {
        match self.dir {
            "" => format!("the sign-in folder on {}", self.place()),
            dir => format!("the folder \"{dir}\" on {}", self.place()),
        }
    }
}

fn authority(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// What the session was doing, to word the server's refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Connect,
    Secure,
    SignIn,
    Folder,
    Store,
    Rename,
    Delete,
}

impl Step {
    fn doing(self) -> &'static str {
        match self {
            Step::Connect => "start a session",
            Step::Secure => "start a secure connection",
            Step::SignIn => "sign in",
            Step::Folder => "open the folder",
            Step::Store => "store the file",
            Step::Rename => "rename the uploaded file into place",
            Step::Delete => "delete a file",
        }
    }
}

/// Connects, signs in and proves it may write: a probe file is stored, renamed (uploads
/// rename) and deleted.
pub(super) fn check(target: &Target, secret: &Secret, options: &DeliverOptions) -> Result<(), DeliverError> {
    let server = Server::from_target(target, secret)?;
    let mut session = Session::open(&server, options)?;
    let probe = probe_name();
    let part = format!("{probe}.part");
    let result = session
        .ftp
        .put_with_stream(&part)
        .and_then(|stream| stream.finish())
        .map_err(|e| session.error(e, Step::Store))
        .and_then(|()| session.ftp.rename(&part, &probe).map_err(|e| session.error(e, Step::Rename)))
        .and_then(|()| session.ftp.rm(&probe).map_err(|e| session.error(e, Step::Delete)));
    if result.is_err() {
        session.remove_quietly(&part);
        session.remove_quietly(&probe);
    }
    session.quit();
    result
}

/// Stores the feed as `name` in the target folder; returns its size and location.
pub(super) fn upload(
    target: &Target,
    secret: &Secret,
    options: &DeliverOptions,
    feed: FeedFile,
    name: &str,
) -> Result<(u64, String), DeliverError> {
    let server = Server::from_target(target, secret)?;
    let len = feed.len;
    let mut session = Session::open(&server, options)?;
    let temp = temp_name(name);
    let result = session.store(&temp, feed).and_then(|()| session.rename_into_place(&temp, name));
    if result.is_err() {
        session.remove_quietly(&temp);
    }
    session.quit();
    result.map(|()| (len, server.location(name)))
}

/// A signed-in session in the target folder.
struct Session<'a> {
    ftp: RustlsFtpStream,
    server: &'a Server<'a>,
    options: &'a DeliverOptions,
}

impl<'a> Session<'a> {
    fn open(server: &'a Server<'a>, options: &'a DeliverOptions) -> Result<Session<'a>, DeliverError> {
        let control = connect(server, options)?;
        let failed = |e: FtpError, step: Step| describe(server, options, e, step);
        let ftp = RustlsFtpStream::connect_with_stream(control).map_err(|e| failed(e, Step::Connect))?;
        let (connect_timeout, io_timeout) = (options.connect_timeout, options.io_timeout);
        let mut ftp = ftp.passive_stream_builder(move |addr: SocketAddr| {
            let data =
                TcpStream::connect_timeout(&addr, connect_timeout).map_err(FtpError::ConnectionError)?;
            data.set_read_timeout(Some(io_timeout))
                .and_then(|()| data.set_write_timeout(Some(io_timeout)))
                .map_err(FtpError::ConnectionError)?;
            Ok(data)
        });
        // Servers behind NAT often announce their private address in the PASV reply: the data
        // connection goes to the address the control connection reached instead (which also
        // keeps a server from pointing it at another machine).
        ftp.set_passive_nat_workaround(true);
        if server.secure {
            let connector = RustlsConnector::from(Arc::new(tls_config(server, options)?));
            ftp = ftp.into_secure(connector, server.host).map_err(|e| failed(e, Step::Secure))?;
        }
        let mut session = Session { ftp, server, options };
        session.ftp.login(server.user, server.password).map_err(|e| session.error(e, Step::SignIn))?;
        // Binary: the bytes arrive as they are (ASCII mode would rewrite line endings).
        session.ftp.transfer_type(FileType::Binary).map_err(|e| session.error(e, Step::Connect))?;
        if !server.dir.is_empty() {
            session.ftp.cwd(server.dir).map_err(|e| session.error(e, Step::Folder))?;
        }
        Ok(session)
    }

    fn error(&self, e: FtpError, step: Step) -> DeliverError {
        describe(self.server, self.options, e, step)
    }

    /// Sends the feed as `name`; done when the server confirms the transfer (226).
    fn store(&mut self, name: &str, feed: FeedFile) -> Result<(), DeliverError> {
        let path = feed.path.clone();
        let mut reader = feed.reader();
        let mut stream = self.ftp.put_with_stream(name).map_err(|e| self.error(e, Step::Store))?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if let Err(abort) = self.ftp.abort(stream) {
                        tracing::debug!(error = %abort, "the server did not acknowledge the abort");
                    }
                    return Err(feed_read_error(&path, &e));
                }
            };
            if let Err(e) = stream.write_all(&buf[..n]) {
                // The server may have said why it closed the data connection (a full disk, a
                // quota): its reply explains more than the broken connection.
                return Err(match stream.finish() {
                    Err(reply @ FtpError::UnexpectedResponse(_)) => self.error(reply, Step::Store),
                    _ => self.error(FtpError::ConnectionError(e), Step::Store),
                });
            }
        }
        stream.finish().map_err(|e| self.error(e, Step::Store))
    }

    /// Renames the complete temporary file to `name`, replacing the previous feed.
    fn rename_into_place(&mut self, temp: &str, name: &str) -> Result<(), DeliverError> {
        let refused = match self.ftp.rename(temp, name) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        // POSIX servers replace an existing file on RNTO, like rename(2). Some (IIS and other
        // Windows servers) refuse with "550 … already exists"; only then is the way cleared.
        // The old file is moved aside rather than deleted first: if the server refused for
        // another reason, the second rename fails too and the old file is put back.
        let maybe_exists =
            matches!(&refused, FtpError::UnexpectedResponse(r) if matches!(r.status.code(), 450 | 550 | 553));
        if !maybe_exists || !self.exists(name) {
            return Err(self.error(refused, Step::Rename));
        }
        let aside = format!(".{name}.old-{:016x}", fastrand::u64(..));
        if self.ftp.rename(name, aside.as_str()).is_err() {
            return Err(self.error(refused, Step::Rename));
        }
        match self.ftp.rename(temp, name) {
            Ok(()) => {
                if let Err(e) = self.ftp.rm(&aside) {
                    tracing::warn!(file = aside, error = %e, "could not delete the moved-aside feed");
                }
                Ok(())
            }
            Err(e) => match self.ftp.rename(aside.as_str(), name) {
                Ok(()) => Err(self.error(e, Step::Rename)),
                Err(_) => Err(DeliverError::Protocol(format!(
                    "{} refused to rename the uploaded file into place, and the previous file could not be \
                     put back: it is now named {aside} in {}.",
                    self.server.place(),
                    self.server.folder()
                ))),
            },
        }
    }

    /// Whether `name` is a file in the folder (SIZE, else MDTM; servers have one or the other).
    fn exists(&mut self, name: &str) -> bool {
        self.ftp.size(name).is_ok() || self.ftp.mdtm(name).is_ok()
    }

    /// Deletes a leftover of a failed upload; a failure here must not hide the first one.
    fn remove_quietly(&mut self, name: &str) {
        if let Err(e) = self.ftp.rm(name) {
            tracing::debug!(file = name, error = %e, "could not delete a temporary file");
        }
    }

    fn quit(mut self) {
        if let Err(e) = self.ftp.quit() {
            tracing::debug!(error = %e, "the FTP server did not take QUIT");
        }
    }
}

/// The control connection: the first of the name's addresses that answers in time, with the
/// io timeout for every later read and write.
fn connect(server: &Server, options: &DeliverOptions) -> Result<TcpStream, DeliverError> {
    let unreachable = |reason: String| DeliverError::Unreachable { place: server.place(), reason };
    let addrs: Vec<SocketAddr> = (server.host, server.port)
        .to_socket_addrs()
        .map_err(|e| unreachable(format!("the name \"{}\" could not be found ({e})", server.host)))?
        .collect();
    let mut last_error = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, options.connect_timeout) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(options.io_timeout))
                    .and_then(|()| stream.set_write_timeout(Some(options.io_timeout)))
                    .map_err(|e| unreachable(network_reason(&e, options.io_timeout)))?;
                return Ok(stream);
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(unreachable(match last_error {
        Some(e) => network_reason(&e, options.connect_timeout),
        None => format!("the name \"{}\" has no address", server.host),
    }))
}

/// TLS as the system trusts it, plus the extra roots of the options. Certificates are always
/// verified; rustls calls plugging in a verifier "dangerous", the platform verifier is not.
fn tls_config(server: &Server, options: &DeliverOptions) -> Result<rustls::ClientConfig, DeliverError> {
    let failed = |e: rustls::Error| DeliverError::Tls { place: server.place(), reason: e.to_string() };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra_roots(options)?,
        Arc::clone(&provider),
    )
    .map_err(failed)?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(failed)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// An FTP failure in the seller's words, by what was being done.
fn describe(server: &Server, options: &DeliverOptions, e: FtpError, step: Step) -> DeliverError {
    let place = server.place();
    match e {
        FtpError::ConnectionError(io) => match tls_reason(&io) {
            Some(reason) => DeliverError::Tls { place, reason },
            None => DeliverError::Unreachable { place, reason: network_reason(&io, options.io_timeout) },
        },
        FtpError::SecureError(reason) => DeliverError::Tls { place, reason },
        FtpError::UnexpectedResponse(reply) => {
            let code = reply.status.code();
            let text = String::from_utf8_lossy(&reply.body).trim().to_owned();
            let said = format!("the server said \"{text}\"");
            match (code, step) {
                (421, _) => DeliverError::Unreachable {
                    place,
                    reason: format!("the server ended the session ({said})"),
                },
                (_, Step::Secure) => DeliverError::Tls {
                    place,
                    reason: format!("the server does not offer secure connections (FTPS, AUTH TLS): {said}"),
                },
                // Some servers refuse a plain session's USER with a 5xx other than 530, saying
                // TLS is required: the server's own words tell it.
                (530 | 430 | 331 | 332, _) | (_, Step::SignIn) => {
                    DeliverError::SignIn { place, reason: said }
                }
                (522 | 534 | 535 | 536, _) => DeliverError::Tls { place, reason: said },
                (450 | 501 | 550 | 553, Step::Folder) => {
                    DeliverError::NotFound { what: format!("The folder \"{}\" on {place}", server.dir) }
                }
                (452 | 552, _) => {
                    DeliverError::Protocol(format!("{place} has no room for the file: {said}."))
                }
                (450 | 532 | 550 | 553, Step::Store | Step::Rename | Step::Delete) => {
                    DeliverError::Denied { place: server.folder(), reason: said }
                }
                _ => DeliverError::Protocol(format!("{place} refused to {}: {said}.", step.doing())),
            }
        }
        FtpError::BadResponse => DeliverError::Protocol(format!(
            "{place} answered with something that is not FTP while trying to {}.",
            step.doing()
        )),
        other => DeliverError::Protocol(format!("{place} failed to {}: {other}.", step.doing())),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::super::test_servers::{FtpKind, FtpServer, NO_RENAME, READER, SELLER, free_port};
    use super::super::{check_with, upload_with};
    use super::*;

    fn target(port: u16, secure: bool, user: &str, dir: &str) -> Target {
        Target::Ftp {
            host: "127.0.0.1".into(),
            port,
            secure,
            user: user.into(),
            dir: dir.into(),
            public_url_base: Some("https://shop.example/feeds".into()),
        }
    }

    fn password(user: (&str, &str)) -> Secret {
        Secret::Password(user.1.into())
    }

    fn feed(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, content).unwrap();
        path
    }

    /// A feed of many data packets, with bytes an ASCII-mode transfer would change.
    fn big_feed(version: u8) -> Vec<u8> {
        (0..400_000u32).map(|i| if i % 97 == 0 { b'\n' } else { (i % 251) as u8 ^ version }).collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Check, upload, replace: the file in the server's folder is the local one each time and
    /// nothing else is left there.
    fn upload_replaces_the_file(server: &FtpServer, secure: bool, options: &DeliverOptions) {
        let work = tempfile::tempdir().unwrap();
        fs::create_dir(server.root.path().join("feeds")).unwrap();
        let target = target(server.port, secure, SELLER.0, "feeds/");
        check_with(&target, &password(SELLER), options).unwrap();
        assert_eq!(names(&server.root.path().join("feeds")), Vec::<String>::new(), "the probe is gone");

        let v1 = big_feed(1);
        let done =
            upload_with(&target, &password(SELLER), &feed(work.path(), "a.xml", &v1), "yml.xml", options)
                .unwrap();
        assert_eq!(done.bytes, v1.len() as u64);
        assert_eq!(done.location, format!("ftp://127.0.0.1:{}/feeds/yml.xml", server.port));
        assert_eq!(done.public_url.as_deref(), Some("https://shop.example/feeds/yml.xml"));
        let on_server = server.root.path().join("feeds/yml.xml");
        assert!(fs::read(&on_server).unwrap() == v1, "the stored file differs from the local one");

        let v2 = big_feed(2);
        upload_with(&target, &password(SELLER), &feed(work.path(), "b.xml", &v2), "yml.xml", options)
            .unwrap();
        assert!(fs::read(&on_server).unwrap() == v2, "the second upload did not replace the first");
        assert_eq!(names(&server.root.path().join("feeds")), ["yml.xml"], "no .part files are left");
    }

    #[test]
    fn ftp_upload_replaces_the_file_atomically() {
        let server = FtpServer::start(FtpKind::Plain);
        upload_replaces_the_file(&server, false, &DeliverOptions::default());
    }

    #[test]
    fn ftps_upload_replaces_the_file_over_a_verified_connection() {
        let server = FtpServer::start(FtpKind::Tls);
        let trusted = DeliverOptions { extra_root_cert: server.ca.clone(), ..DeliverOptions::default() };
        upload_replaces_the_file(&server, true, &trusted);

        // Without the server's CA, its certificate is not trusted: nothing is sent.
        let err = check_with(
            &target(server.port, true, SELLER.0, "feeds"),
            &password(SELLER),
            &DeliverOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "tls", "{err}");
        assert!(err.to_string().contains("not issued by an authority this computer trusts"), "{err}");

        // The server requires TLS: a plain session is turned away before the password.
        let err = check_with(&target(server.port, false, SELLER.0, "feeds"), &password(SELLER), &trusted)
            .unwrap_err();
        assert_eq!(err.code(), "sign_in", "{err}");
    }

    #[test]
    fn ftp_tells_wrong_passwords_missing_folders_and_refusals_apart() {
        let server = FtpServer::start(FtpKind::Plain);
        fs::create_dir(server.root.path().join("feeds")).unwrap();
        let options = DeliverOptions::default();

        let err = check_with(
            &target(server.port, false, SELLER.0, "feeds"),
            &Secret::Password("wrong".into()),
            &options,
        )
        .unwrap_err();
        assert_eq!(err.code(), "sign_in", "{err}");
        assert!(!err.to_string().contains("s3cret-pass") && !err.to_string().contains("wrong\""), "{err}");

        let err = check_with(
            &target(server.port, false, SELLER.0, "feeds/no-such-dir"),
            &password(SELLER),
            &options,
        )
        .unwrap_err();
        assert_eq!(err.code(), "not_found", "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "The folder \"feeds/no-such-dir\" on 127.0.0.1:{} does not exist. Check its name in the \
                 feed's upload settings.",
                server.port
            )
        );

        let err = check_with(&target(server.port, false, READER.0, "feeds"), &password(READER), &options)
            .unwrap_err();
        assert_eq!(err.code(), "denied", "{err}");
        // Allowed to store but not to rename: uploads would fail, so the check does.
        let err =
            check_with(&target(server.port, false, NO_RENAME.0, "feeds"), &password(NO_RENAME), &options)
                .unwrap_err();
        assert_eq!(err.code(), "denied", "{err}");
        assert_eq!(names(&server.root.path().join("feeds")), Vec::<String>::new(), "no probe is left");

        // A plain FTP server offers no TLS.
        let err = check_with(&target(server.port, true, SELLER.0, "feeds"), &password(SELLER), &options)
            .unwrap_err();
        assert_eq!(err.code(), "tls", "{err}");

        let err =
            check_with(&target(free_port(), false, SELLER.0, ""), &password(SELLER), &options).unwrap_err();
        assert_eq!(err.code(), "unreachable", "{err}");
        assert!(err.to_string().contains("refused"), "{err}");
    }

    #[test]
    fn ftp_failed_upload_leaves_the_previous_file() {
        let server = FtpServer::start(FtpKind::Plain);
        let work = tempfile::tempdir().unwrap();
        fs::create_dir(server.root.path().join("feeds")).unwrap();
        let options = DeliverOptions::default();
        let on_server = server.root.path().join("feeds/yml.xml");
        let v2 = feed(work.path(), "v2.xml", &big_feed(2));
        upload_with(
            &target(server.port, false, SELLER.0, "feeds"),
            &password(SELLER),
            &feed(work.path(), "v1.xml", b"<v1/>"),
            "yml.xml",
            &options,
        )
        .unwrap();

        // The whole file is stored under its temporary name, then the rename is refused: the
        // old file stays and the temporary one is deleted.
        let err = upload_with(
            &target(server.port, false, NO_RENAME.0, "feeds"),
            &password(NO_RENAME),
            &v2,
            "yml.xml",
            &options,
        )
        .unwrap_err();
        assert_eq!(err.code(), "denied", "{err}");
        assert_eq!(fs::read(&on_server).unwrap(), b"<v1/>");
        assert_eq!(names(&server.root.path().join("feeds")), ["yml.xml"]);

        let wrong = Secret::Password("wrong".into());
        let err =
            upload_with(&target(server.port, false, SELLER.0, "feeds"), &wrong, &v2, "yml.xml", &options)
                .unwrap_err();
        assert_eq!(err.code(), "sign_in");
        let err = upload_with(
            &target(server.port, false, SELLER.0, "feeds"),
            &password(SELLER),
            &work.path().join("gone.xml"),
            "yml.xml",
            &options,
        )
        .unwrap_err();
        assert_eq!(err.code(), "io");
        assert_eq!(fs::read(&on_server).unwrap(), b"<v1/>");
        assert_eq!(names(&server.root.path().join("feeds")), ["yml.xml"]);
    }

    #[test]
    fn ftp_server_that_refuses_to_rename_over_a_file_still_gets_the_new_one() {
        let server = FtpServer::start(FtpKind::RefusesRenameOverFiles);
        let work = tempfile::tempdir().unwrap();
        let options = DeliverOptions::default();
        let target = target(server.port, false, SELLER.0, "");
        upload_with(&target, &password(SELLER), &feed(work.path(), "v1.xml", b"<v1/>"), "yml.xml", &options)
            .unwrap();
        upload_with(&target, &password(SELLER), &feed(work.path(), "v2.xml", b"<v2/>"), "yml.xml", &options)
            .unwrap();
        assert_eq!(fs::read(server.root.path().join("yml.xml")).unwrap(), b"<v2/>");
        assert_eq!(names(server.root.path()), ["yml.xml"], "no .part or moved-aside files are left");

        // May not rename at all: the old file is neither moved nor lost.
        let no_rename = self::target(server.port, false, NO_RENAME.0, "");
        let err = upload_with(
            &no_rename,
            &password(NO_RENAME),
            &feed(work.path(), "v3.xml", b"<v3/>"),
            "yml.xml",
            &options,
        )
        .unwrap_err();
        assert_eq!(err.code(), "denied", "{err}");
        assert_eq!(fs::read(server.root.path().join("yml.xml")).unwrap(), b"<v2/>");
        assert_eq!(names(server.root.path()), ["yml.xml"]);
    }
}
