//! A tiny HTTP/1.1 server on a real local socket (`127.0.0.1`, a free port), answering each
//! request with what the test's handler says. Every answer closes the connection, so there is
//! no keep-alive to model.
//!
//! Slow or silent servers are built from [`Gate`]s, not from sleeps: a reply held by a gate
//! stays silent until the test opens the gate (or drops the server), so a client's time limit
//! always fires first however loaded the machine is, and a test never waits longer than its
//! client does.
//!
//! ```no_run
//! use vitrina_testkit::http::{Reply, Server};
//!
//! let server = Server::start(|request| match request.header("X-Api-Key") {
//!     Some("tok") => Reply::ok("sku;price\nA-1;100\n").header("Content-Type", "text/csv"),
//!     _ => Reply::status(401),
//! });
//! let url = server.url("/price.csv");
//! // … point the code under test at `url` …
//! assert_eq!(server.requests()[0].header("X-Api-Key"), Some("tok"));
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The body, read by its `Content-Length` (empty without one).
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: Instant,
}

impl Request {
    /// A header's value, the name compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Something a test opens once, that server threads (or handlers) wait for.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Opens the gate for every waiter, now and later.
    pub fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        changed.notify_all();
    }

    pub fn is_open(&self) -> bool {
        *self.0.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until the gate opens or `limit` passes; whether it opened. The limit is a fail-safe
    /// that keeps a broken test from hanging, not a measurement.
    pub fn wait(&self, limit: Duration) -> bool {
        let (open, changed) = &*self.0;
        let deadline = Instant::now() + limit;
        let mut guard = open.lock().unwrap_or_else(PoisonError::into_inner);
        while !*guard {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            guard = changed.wait_timeout(guard, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        true
    }
}

/// What to send back.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    /// The Content-Length to announce instead of the body's own.
    length: Option<u64>,
    /// Nothing at all is sent until this opens.
    before: Option<Gate>,
    /// After the head and the body, the connection stays open (and silent) until this opens.
    after: Option<Gate>,
}

#[derive(Debug, Clone)]
enum Body {
    Bytes(Vec<u8>),
    /// `count` copies of `chunk`, `pause` apart; `Content-Length: length` if given, else chunked.
    Trickle {
        chunk: Vec<u8>,
        count: usize,
        pause: Duration,
        length: Option<u64>,
    },
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
            length: None,
            before: None,
            after: None,
        }
    }

    /// The status this reply sends.
    pub fn status_code(&self) -> u16 {
        self.status
    }

    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200).body(body)
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = Body::Bytes(body.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends `count` chunks with a pause before each; `length` announces a Content-Length
    /// (which may lie), otherwise the body is chunked.
    pub fn trickle(mut self, chunk: Vec<u8>, count: usize, pause: Duration, length: Option<u64>) -> Reply {
        self.body = Body::Trickle { chunk, count, pause, length };
        self
    }

    /// Announces this Content-Length whatever the body is: more than is sent makes a body cut
    /// short (or, with [`Reply::then_hold`], a download that stalls).
    pub fn length(mut self, length: u64) -> Reply {
        self.length = Some(length);
        self
    }

    /// Sends nothing, not even the status line, until `gate` opens (or the server is dropped):
    /// a server that does not answer.
    pub fn hold(mut self, gate: &Gate) -> Reply {
        self.before = Some(gate.clone());
        self
    }

    /// After the head and the body, keeps the connection open without a byte more until `gate`
    /// opens (or the server is dropped): with [`Reply::length`] above the body, a download that
    /// stalls halfway.
    pub fn then_hold(mut self, gate: &Gate) -> Reply {
        self.after = Some(gate.clone());
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// The most of a request body the server reads (the fakes' largest documented request is 10 MB).
const MAX_BODY: usize = 64 << 20;

/// The server; dropping it stops accepting and releases every held reply.
#[derive(Debug)]
pub struct Server {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    closed: Gate,
    stopping: Arc<AtomicBool>,
}

impl Server {
    /// Serves every request on its own thread with `handler`'s reply.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_at("127.0.0.1:0", handler).expect("bind a local port")
    }

    /// [`Server::start`] on `address` (`127.0.0.1:18080`), for a fake a person runs by hand.
    pub fn start_at(
        address: &str,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(address)?;
        let address = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let closed = Gate::new();
        let stopping = Arc::new(AtomicBool::new(false));
        let (seen, released, stop) = (Arc::clone(&requests), closed.clone(), Arc::clone(&stopping));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let handler = Arc::clone(&handler);
                let seen = Arc::clone(&seen);
                let released = released.clone();
                thread::spawn(move || serve(stream, &*handler, &seen, &released));
            }
        });
        Ok(Server { address, requests, closed, stopping })
    }

    /// `http://127.0.0.1:PORT` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The requests from the `start`-th on (cheap to poll: only those are copied).
    pub fn requests_from(&self, start: usize) -> Vec<Request> {
        let all = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        all.get(start..).map(<[Request]>::to_vec).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.closed.open();
        // Wakes the accept loop so that it sees the stop.
        let _ = TcpStream::connect(self.address);
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>, closed: &Gate) {
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
        return;
    }
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let path = words.next().unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = Vec::new();
    // A body cut short is kept as far as it came: the handler sees what arrived.
    let _ = reader.by_ref().take(length.min(MAX_BODY) as u64).read_to_end(&mut body);
    let request = Request { method, path, headers, body, at: Instant::now() };
    seen.lock().unwrap_or_else(PoisonError::into_inner).push(request.clone());
    let reply = handler(&request);
    // Writes fail when the client gave up (timeouts, limits, cancellation): that is the point.
    let _ = respond(stream, reply, closed);
}

/// Waits for `gate` or for the server to be dropped.
fn held(gate: Option<&Gate>, closed: &Gate) {
    if let Some(gate) = gate {
        while !gate.is_open() && !closed.is_open() {
            gate.wait(Duration::from_millis(50));
        }
    }
}

fn respond(mut stream: TcpStream, reply: Reply, closed: &Gate) -> std::io::Result<()> {
    held(reply.before.as_ref(), closed);
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let length = match &reply.body {
        Body::Bytes(bytes) => Some(reply.length.unwrap_or(bytes.len() as u64)),
        Body::Trickle { length, .. } => reply.length.or(*length),
    };
    match length {
        Some(length) => head.push_str(&format!("Content-Length: {length}\r\n\r\n")),
        None => head.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    stream.write_all(head.as_bytes())?;
    match reply.body {
        Body::Bytes(bytes) => stream.write_all(&bytes)?,
        Body::Trickle { chunk, count, pause, .. } => {
            for _ in 0..count {
                thread::sleep(pause);
                if length.is_some() {
                    stream.write_all(&chunk)?;
                } else {
                    stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                    stream.write_all(&chunk)?;
                    stream.write_all(b"\r\n")?;
                }
                stream.flush()?;
            }
            if length.is_none() {
                stream.write_all(b"0\r\n\r\n")?;
            }
        }
    }
    stream.flush()?;
    held(reply.after.as_ref(), closed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn get(url: &str, headers: &str) -> String {
        let address = url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
        let path = &url[url.find(&address).unwrap() + address.len()..];
        let mut stream = TcpStream::connect(address).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn answers_with_the_handlers_reply_and_remembers_requests() {
        let server = Server::start(|r| match r.header("x-api-key") {
            Some("tok") => Reply::ok("hello").header("ETag", "\"v1\""),
            _ => Reply::status(401),
        });
        let ok = get(&server.url("/a?b=1"), "X-Api-Key: tok\r\n");
        assert!(ok.starts_with("HTTP/1.1 200") && ok.contains("ETag: \"v1\"") && ok.ends_with("hello"));
        assert!(get(&server.url("/a"), "").starts_with("HTTP/1.1 401"));
        let requests = server.requests();
        assert_eq!((requests[0].method.as_str(), requests[0].path.as_str()), ("GET", "/a?b=1"));
        assert_eq!(requests[1].header("X-Api-Key"), None);
    }

    #[test]
    fn a_request_body_is_read_by_its_content_length() {
        let server = Server::start(|r| Reply::ok(r.body.clone()));
        let address = server.url("").trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(address).unwrap();
        write!(stream, "POST /v1/roles HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{{\"a\":1}}").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.ends_with("{\"a\":1}"), "{answer}");
        assert_eq!(server.requests()[0].body, b"{\"a\":1}");
        get(&server.url("/"), "");
        assert!(server.requests()[1].body.is_empty());
    }

    #[test]
    fn a_held_reply_waits_for_its_gate_and_a_dropped_server_releases_it() {
        let gate = Gate::new();
        let held = gate.clone();
        let server = Server::start(move |_| Reply::ok("late").hold(&held));
        let url = server.url("/");
        let waiting = thread::spawn(move || get(&url, ""));
        while server.requests().is_empty() {
            thread::yield_now();
        }
        assert!(!waiting.is_finished());
        gate.open();
        assert!(waiting.join().unwrap().ends_with("late"));

        let never = Gate::new();
        let server = Server::start(move |_| Reply::ok("x").length(10).then_hold(&never));
        let url = server.url("/");
        let stalled = thread::spawn(move || get(&url, ""));
        while server.requests().is_empty() {
            thread::yield_now();
        }
        drop(server);
        let answer = stalled.join().unwrap();
        assert!(answer.contains("Content-Length: 10") && answer.ends_with("\r\n\r\nx"), "{answer}");
    }

    #[test]
    fn a_gate_that_stays_shut_times_out() {
        let gate = Gate::new();
        assert!(!gate.wait(Duration::from_millis(1)));
        gate.open();
        assert!(gate.wait(Duration::ZERO) && gate.is_open());
    }
}
