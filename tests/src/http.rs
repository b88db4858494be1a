//! A tiny HTTP/1.1 server on 127.0.0.1 for tests of downloads: fixed routes, optional
//! `ETag` with `304 Not Modified`, bodies cut short on purpose, and a log of requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// What the server answers for one path.
#[derive(Debug, Clone, Default)]
pub struct Route {
    /// Status code (200 when 0).
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
    /// `ETag` to send; a request with a matching `If-None-Match` gets 304.
    pub etag: Option<String>,
    /// Send only this many body bytes (after a `Content-Length` of the full size), then
    /// close the connection.
    pub truncate_to: Option<usize>,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request line, e.g. `GET /p.pack HTTP/1.1`.
    pub line: String,
    /// Header lines, lowercase names.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The server; it runs until the test process ends.
#[derive(Clone)]
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    /// Starts a server on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = Self {
            base,
            routes: Arc::default(),
            seen: Arc::default(),
        };
        let s = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = s.serve(stream);
            }
        });
        server
    }

    /// Sets the answer for `path` (starting with `/`).
    pub fn route(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h.trim_end().is_empty() {
                break;
            }
            if let Some((k, v)) = h.trim_end().split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let seen = Seen { line, headers };
        let target = seen.line.split(' ').nth(1).unwrap_or("/").to_owned();
        // A proxy is asked for an absolute URL; serve its path.
        let path = match target.strip_prefix("http://") {
            Some(rest) => format!("/{}", rest.split_once('/').map(|x| x.1).unwrap_or("")),
            None => target,
        };
        let if_none_match = seen.header("if-none-match").map(str::to_owned);
        self.seen.lock().unwrap().push(seen);
        let route = self.routes.lock().unwrap().get(&path).cloned();
        let mut out = stream;
        let Some(route) = route else {
            out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
            return Ok(());
        };
        if route.etag.is_some() && route.etag == if_none_match {
            let etag = route.etag.unwrap_or_default();
            write!(
                out,
                "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
            )?;
            return Ok(());
        }
        let status = if route.status == 0 { 200 } else { route.status };
        let mut head = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
            route.body.len()
        );
        if let Some(e) = &route.etag {
            head.push_str(&format!("ETag: {e}\r\n"));
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        let n = route
            .truncate_to
            .unwrap_or(route.body.len())
            .min(route.body.len());
        out.write_all(&route.body[..n])?;
        out.flush()?;
        Ok(())
    }
}
