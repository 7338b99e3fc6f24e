//! A small real SMTP server on 127.0.0.1 (RFC 5321: EHLO/HELO, MAIL FROM, RCPT TO, DATA with
//! dot-unstuffing, RSET, NOOP, QUIT; plain, no TLS) that keeps every message it accepts: the
//! envelope and the raw bytes. It can be stopped and started again on the same port (an
//! outage), and a test can wait for the n-th message.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// The reverse path of `MAIL FROM:<…>`, without the brackets.
    pub mail_from: String,
    /// Each `RCPT TO:<…>`, without the brackets.
    pub rcpt_to: Vec<String>,
    /// The message after dot-unstuffing, CRLF line ends kept, without the final `.`.
    pub data: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(server) = self.server.lock().unwrap().take() {
            server.abort();
        }
    }
}

impl SmtpSink {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> SmtpSink {
        let listener = listen(0).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = SmtpSink {
            port,
            messages: Arc::default(),
            server: Mutex::new(None),
        };
        sink.serve(listener);
        sink
    }

    /// `email.smtp_url` for this sink: plain SMTP, allowed because it is on loopback.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Closes the listener and every open connection: the port refuses connections.
    pub async fn stop(&self) {
        let server = self.server.lock().unwrap().take();
        if let Some(server) = server {
            server.abort();
            let _ = server.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let mut tries = 0;
        let listener = loop {
            match listen(self.port).await {
                Ok(listener) => break listener,
                Err(e) if tries < 50 => {
                    tries += 1;
                    eprintln!("smtp sink: port {} not free yet: {e}", self.port);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("smtp sink cannot listen on {} again: {e}", self.port),
            }
        };
        self.serve(listener);
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until `count` messages have arrived (panics after `timeout`).
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "smtp sink: {} message(s) after {timeout:?}, waited for {count}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn serve(&self, listener: TcpListener) {
        let messages = self.messages.clone();
        let server = tokio::spawn(async move {
            // Dropped (and with it every connection) when the server task is aborted.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            connections.spawn(converse(stream, messages.clone()));
                        }
                    }
                    Some(_) = connections.join_next() => {}
                }
            }
        });
        *self.server.lock().unwrap() = Some(server);
    }
}

/// A listener that can take its port back at once after a stop.
async fn listen(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(([127, 0, 0, 1], port).into())?;
    socket.listen(16)
}

/// The address inside `<…>` after a `MAIL FROM:` or `RCPT TO:` verb.
fn path_of(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument.rfind('>').unwrap_or(argument.len());
    argument.get(start..end).unwrap_or_default().to_string()
}

/// One SMTP session.
async fn converse(stream: TcpStream, messages: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &str| format!("{text}\r\n");
    if write
        .write_all(reply("220 sink ESMTP ready").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let (mut from, mut to) = (None::<String>, Vec::new());
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let verb = command.get(..4).unwrap_or(command).to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => {
                "250-sink greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING".to_string()
            }
            "HELO" => "250 sink greets you".to_string(),
            "MAIL" => {
                from = Some(path_of(&command[4..]));
                to.clear();
                "250 2.1.0 OK".to_string()
            }
            "RCPT" if from.is_some() => {
                to.push(path_of(&command[4..]));
                "250 2.1.5 OK".to_string()
            }
            "RCPT" => "503 5.5.1 MAIL first".to_string(),
            "DATA" if from.is_some() && !to.is_empty() => {
                if write
                    .write_all(reply("354 End data with <CR><LF>.<CR><LF>").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(data) = read_data(&mut lines).await else {
                    return;
                };
                messages.lock().unwrap().push(Received {
                    mail_from: from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut to),
                    data,
                });
                "250 2.0.0 OK queued".to_string()
            }
            "DATA" => "503 5.5.1 MAIL and RCPT first".to_string(),
            "RSET" => {
                (from, to) = (None, Vec::new());
                "250 2.0.0 OK".to_string()
            }
            "NOOP" => "250 2.0.0 OK".to_string(),
            "QUIT" => {
                let _ = write.write_all(reply("221 2.0.0 Bye").as_bytes()).await;
                return;
            }
            _ => "502 5.5.2 Command not implemented".to_string(),
        };
        if write.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The lines of DATA up to the lone `.`, each leading dot of a stuffed line removed.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut R) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        if lines.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}
