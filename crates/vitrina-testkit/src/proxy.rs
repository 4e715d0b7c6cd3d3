//! A TCP proxy between a client under test and its server, that the test can make slow,
//! silent or broken: the network faults of DESIGN §10 without iptables.
//!
//! - [`Fault::Delay`]: every chunk waits before it is passed on;
//! - [`Fault::Blackhole`]: nothing passes either way and new connections hang, as on a
//!   half-open link (the client's TCP sees no error; only its own time limits notice). Bytes
//!   sent meanwhile flow once the fault is cleared, as TCP's retransmits would deliver them;
//! - [`Fault::Refuse`]: new connections are closed at once (a server that is gone);
//! - [`Proxy::cut`]: every open connection is closed now, both ways (a dropped network).
//!
//! ```no_run
//! use vitrina_testkit::proxy::{Fault, Proxy};
//! let proxy = Proxy::start("127.0.0.1:5432".parse().unwrap());
//! // … point the client at 127.0.0.1:{proxy.port()} …
//! proxy.set(Fault::Blackhole);
//! proxy.set(Fault::None);
//! proxy.cut();
//! ```

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// What the proxy does to the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    Delay(Duration),
    Blackhole,
    Refuse,
}

#[derive(Debug)]
struct Shared {
    target: SocketAddr,
    fault: Mutex<Fault>,
    stop: AtomicBool,
    /// Open connections (both halves), closed by [`Proxy::cut`].
    open: Mutex<Vec<(TcpStream, TcpStream)>>,
    accepted: AtomicU64,
}

impl Shared {
    fn fault(&self) -> Fault {
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running proxy on `127.0.0.1`, a free port. Dropping it closes everything.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

const TICK: Duration = Duration::from_millis(20);

impl Proxy {
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port for the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            target,
            fault: Mutex::new(Fault::None),
            stop: AtomicBool::new(false),
            open: Mutex::new(Vec::new()),
            accepted: AtomicU64::new(0),
        });
        let accept_shared = shared.clone();
        thread::spawn(move || accept_loop(listener, accept_shared));
        Proxy { addr, shared }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set(&self, fault: Fault) {
        *self.shared.fault.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }

    pub fn fault(&self) -> Fault {
        self.shared.fault()
    }

    /// Closes every open connection, both ways.
    pub fn cut(&self) {
        let open = std::mem::take(&mut *self.shared.open.lock().unwrap_or_else(PoisonError::into_inner));
        for (client, server) in open {
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.cut();
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for client in listener.incoming() {
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        let Ok(client) = client else { continue };
        shared.accepted.fetch_add(1, Ordering::Relaxed);
        if shared.fault() == Fault::Refuse {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        let shared = shared.clone();
        thread::spawn(move || connect(client, shared));
    }
}

fn connect(client: TcpStream, shared: Arc<Shared>) {
    // A blackholed link does not even complete the server's greeting.
    while shared.fault() == Fault::Blackhole && !shared.stop.load(Ordering::Relaxed) {
        thread::sleep(TICK);
    }
    let Ok(server) = TcpStream::connect(shared.target) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (Ok(c2), Ok(s2), Ok(c3), Ok(s3)) =
        (client.try_clone(), server.try_clone(), client.try_clone(), server.try_clone())
    else {
        return;
    };
    shared.open.lock().unwrap_or_else(PoisonError::into_inner).push((c3, s3));
    let up = shared.clone();
    thread::spawn(move || pump(client, server, up));
    pump(s2, c2, shared);
}

/// Copies `from` → `to` under the current fault until either side closes.
fn pump(mut from: TcpStream, mut to: TcpStream, shared: Arc<Shared>) {
    let _ = from.set_read_timeout(Some(TICK));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        match shared.fault() {
            Fault::Blackhole => {
                thread::sleep(TICK);
                continue;
            }
            Fault::None | Fault::Delay(_) | Fault::Refuse => {}
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(_) => break,
        };
        // Bytes read just as a blackhole began are held until it ends.
        loop {
            match shared.fault() {
                Fault::Blackhole if !shared.stop.load(Ordering::Relaxed) => thread::sleep(TICK),
                Fault::Delay(d) => {
                    thread::sleep(d);
                    break;
                }
                _ => break,
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || {
                    let mut s = stream;
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = s.read(&mut buf) {
                        if n == 0 || s.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    fn roundtrip(s: &mut TcpStream, msg: &[u8]) -> std::io::Result<Vec<u8>> {
        s.write_all(msg)?;
        let mut got = vec![0u8; msg.len()];
        s.read_exact(&mut got)?;
        Ok(got)
    }

    #[test]
    fn passes_delays_holds_and_cuts_traffic() {
        let proxy = Proxy::start(echo_server());
        let mut s = TcpStream::connect(proxy.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        assert_eq!(roundtrip(&mut s, b"hello").unwrap(), b"hello");

        proxy.set(Fault::Delay(Duration::from_millis(150)));
        let started = Instant::now();
        assert_eq!(roundtrip(&mut s, b"slow").unwrap(), b"slow");
        assert!(started.elapsed() >= Duration::from_millis(300), "a delay each way");

        proxy.set(Fault::Blackhole);
        s.write_all(b"held").unwrap();
        let mut buf = [0u8; 4];
        assert!(s.read_exact(&mut buf).is_err(), "nothing passes a blackhole");
        proxy.set(Fault::None);
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"held", "what was sent flows once the link heals");

        proxy.cut();
        let mut rest = Vec::new();
        assert!(matches!(s.read_to_end(&mut rest), Ok(0) | Err(_)), "a cut connection is closed");

        proxy.set(Fault::Refuse);
        let mut refused = TcpStream::connect(proxy.addr()).unwrap();
        refused.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        assert!(matches!(refused.read(&mut buf), Ok(0) | Err(_)));
        proxy.set(Fault::None);
        let mut again = TcpStream::connect(proxy.addr()).unwrap();
        again.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        assert_eq!(roundtrip(&mut again, b"back").unwrap(), b"back");
    }
}
