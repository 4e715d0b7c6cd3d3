//! Real servers on this machine for the delivery tests, started by the tests themselves: moto
//! (an S3-compatible server, with IAM so keys and permissions are checked) and pyftpdlib (FTP,
//! and FTPS with a certificate from a CA made up on the spot). Each runs as a Python child
//! process on a free port of 127.0.0.1, says it is ready by printing one JSON line, and ends
//! when the test drops it, or when the test process dies (its stdin closes).
//!
//! The Python comes from `VITRINA_TEST_PYTHON` (set by `scripts/test`), else the workspace's
//! `.venv-test`, else `python3`. Without moto, pyftpdlib or pyOpenSSL the tests fail and say
//! to run `scripts/test`, which installs them: they never pass without having run.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

const INSTALL_HINT: &str = "The delivery tests run a local S3 server (moto) and FTP server (pyftpdlib, \
     pyOpenSSL) in Python: run scripts/test once (it installs them into .venv-test and sets \
     VITRINA_TEST_PYTHON), or point VITRINA_TEST_PYTHON at a Python with moto[server], pyftpdlib and \
     pyopenssl.";

/// A port nothing listens on (it was free a moment ago).
pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn python() -> String {
    if let Ok(python) = std::env::var("VITRINA_TEST_PYTHON")
        && !python.trim().is_empty()
    {
        return python;
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv-test/bin/python");
    if venv.is_file() {
        return venv.display().to_string();
    }
    "python3".into()
}

/// Fails the test, with what to do, when the servers' modules are missing.
fn require_modules() -> &'static str {
    static CHECKED: OnceLock<Result<String, String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let python = python();
        let probe = "import moto.server, boto3, pyftpdlib, OpenSSL, cryptography";
        match Command::new(&python).args(["-c", probe]).output() {
            Ok(out) if out.status.success() => Ok(python),
            Ok(out) => {
                Err(format!("{python} lacks a module: {}", String::from_utf8_lossy(&out.stderr).trim()))
            }
            Err(e) => Err(format!("cannot run {python}: {e}")),
        }
    });
    match checked {
        Ok(python) => python,
        Err(why) => panic!("{why}\n{INSTALL_HINT}"),
    }
}

/// A server process, killed when dropped.
#[derive(Debug)]
struct Process {
    child: Child,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `script` and waits for the JSON line it prints once it listens.
fn spawn(what: &str, script: &str, args: &[String]) -> (Process, serde_json::Value) {
    let python = require_modules();
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}\n{INSTALL_HINT}"));
    // Both pipes are read to their end, so a chatty server never blocks on a full pipe.
    let errors = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().unwrap();
    let sink = Arc::clone(&errors);
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut chunk) {
            let mut text = sink.lock().unwrap_or_else(PoisonError::into_inner);
            text.push_str(&String::from_utf8_lossy(&chunk[..n]));
            if text.len() > 64 * 1024 {
                let cut = text.len() - 32 * 1024;
                let cut = (cut..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
                text.drain(..cut);
            }
        }
    });
    let (ready, first_line) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = ready.send(lines.next());
        lines.for_each(drop);
    });
    let process = Process { child };
    let line = match first_line.recv_timeout(Duration::from_secs(120)) {
        Ok(Some(Ok(line))) => line,
        other => {
            drop(process);
            thread::sleep(Duration::from_millis(200));
            let errors = errors.lock().unwrap_or_else(PoisonError::into_inner);
            panic!("the local {what} did not start ({other:?}):\n{errors}\n{INSTALL_HINT}");
        }
    };
    let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("the local {what} said {line:?}: {e}"));
    (process, info)
}

/// An access key of a moto IAM user.
#[derive(Debug, Clone)]
pub(super) struct MotoKeys {
    pub id: String,
    pub secret: String,
}

/// moto with IAM checks on: every request must be signed by a known key, and is allowed by the
/// key's user policy. Users: `full` (all of S3), `limited` (all but writing
/// `shop-feeds/feeds/locked.xml`) and `reader` (may only read).
#[derive(Debug)]
pub(super) struct Moto {
    _process: Process,
    port: u16,
    pub full: MotoKeys,
    pub limited: MotoKeys,
    pub reader: MotoKeys,
}

const MOTO: &str = r#"
import json, logging, os, sys, urllib.request
for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(name, None)
logging.disable(logging.WARNING)
import boto3
from moto.server import ThreadedMotoServer

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
port = server.get_host_and_port()[1]
url = f"http://127.0.0.1:{port}"
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")

def user(name, statements):
    iam.create_user(UserName=name)
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    iam.put_user_policy(UserName=name, PolicyName="feeds", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}

everything = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
keys = {
    "full": user("seller", [everything]),
    "limited": user("limited", [everything, {"Effect": "Deny", "Action": "s3:PutObject",
                                              "Resource": "arn:aws:s3:::shop-feeds/feeds/locked.xml"}]),
    "reader": user("reader", [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                               "Resource": "*"}]),
}
# From here on every request is authenticated and authorized.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
opener.open(urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST",
                                   headers={"Content-Type": "text/plain"})).read()
print(json.dumps({"port": port, **keys}), flush=True)
sys.stdin.read()
server.stop()
"#;

impl Moto {
    pub(super) fn start() -> Moto {
        let (process, info) = spawn("S3 server (moto)", MOTO, &[]);
        let keys = |user: &str| MotoKeys {
            id: info[user]["id"].as_str().unwrap().to_owned(),
            secret: info[user]["secret"].as_str().unwrap().to_owned(),
        };
        Moto {
            port: info["port"].as_u64().unwrap() as u16,
            full: keys("full"),
            limited: keys("limited"),
            reader: keys("reader"),
            _process: process,
        }
    }

    pub(super) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `f` with IAM checks off: moto answers unsigned requests (a marketplace fetching a
    /// public object) with an error of its own while they are on.
    pub(super) fn without_auth<T>(&self, f: impl FnOnce() -> T) -> T {
        self.set_auth("inf");
        let result = f();
        self.set_auth("0");
        result
    }

    fn set_auth(&self, unauthenticated_requests: &str) {
        let url = format!("{}/moto-api/reset-auth", self.endpoint());
        let response =
            reqwest::blocking::Client::new().post(url).body(unauthenticated_requests.to_owned()).send();
        assert!(response.unwrap().status().is_success());
    }
}

/// A pyftpdlib server's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FtpKind {
    Plain,
    /// FTPS (explicit TLS), required on the control and data connections, with a certificate
    /// for 127.0.0.1 issued by a CA made for this server ([`FtpServer::ca`]).
    Tls,
    /// Refuses RNTO onto an existing file, as IIS does.
    RefusesRenameOverFiles,
}

/// Users of [`FtpServer`], all at home in [`FtpServer::root`].
pub(super) const SELLER: (&str, &str) = ("seller", "s3cret-pass");
/// May only list and read.
pub(super) const READER: (&str, &str) = ("reader", "reader-pass");
/// May store and delete, not rename.
pub(super) const NO_RENAME: (&str, &str) = ("norename", "norename-pass");

/// A pyftpdlib server whose users' home is a temporary folder.
#[derive(Debug)]
pub(super) struct FtpServer {
    _process: Process,
    pub port: u16,
    pub root: tempfile::TempDir,
    /// The CA certificate (PEM) of a TLS server.
    pub ca: Option<PathBuf>,
    _certs: tempfile::TempDir,
}

const FTP: &str = r#"
import datetime, ipaddress, json, logging, os, sys, threading
logging.disable(logging.WARNING)
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

root, kind, certs = sys.argv[1], sys.argv[2], sys.argv[3]
authorizer = DummyAuthorizer()
authorizer.add_user("seller", "s3cret-pass", root, perm="elradfmwMT")
authorizer.add_user("reader", "reader-pass", root, perm="elr")
authorizer.add_user("norename", "norename-pass", root, perm="elradwMT")

def make_certificates():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    def builder(subject, issuer, public_key):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30)))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vitrina test CA")])
    ca = (builder(ca_name, ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (builder(name, ca_name, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    ca_path, server_path = os.path.join(certs, "ca.pem"), os.path.join(certs, "server.pem")
    with open(ca_path, "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(server_path, "wb") as f:
        f.write(cert.public_bytes(pem))
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_path, server_path

ca_path = None
if kind == "tls":
    ca_path, server_path = make_certificates()
    handler = TLS_FTPHandler
    handler.certfile = server_path
    handler.tls_control_required = True
    handler.tls_data_required = True
else:
    handler = FTPHandler

if kind == "refuses-rename-over-files":
    class Refusing(handler):
        def ftp_RNTO(self, path):
            if self._rnfr and os.path.exists(path):
                self._rnfr = None
                self.respond("550 Cannot create a file when that file already exists.")
                return None
            return super().ftp_RNTO(path)
    handler = Refusing

handler.authorizer = authorizer
server = FTPServer(("127.0.0.1", 0), handler)
print(json.dumps({"port": server.socket.getsockname()[1], "ca": ca_path}), flush=True)
def end_with_the_test():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=end_with_the_test, daemon=True).start()
server.serve_forever()
"#;

impl FtpServer {
    pub(super) fn start(kind: FtpKind) -> FtpServer {
        let root = tempfile::tempdir().unwrap();
        let certs = tempfile::tempdir().unwrap();
        let kind_arg = match kind {
            FtpKind::Plain => "plain",
            FtpKind::Tls => "tls",
            FtpKind::RefusesRenameOverFiles => "refuses-rename-over-files",
        };
        let args =
            [root.path().display().to_string(), kind_arg.to_owned(), certs.path().display().to_string()];
        let (process, info) = spawn("FTP server (pyftpdlib)", FTP, &args);
        FtpServer {
            _process: process,
            port: info["port"].as_u64().unwrap() as u16,
            root,
            ca: info["ca"].as_str().map(PathBuf::from),
            _certs: certs,
        }
    }
}
