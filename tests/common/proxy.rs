//! A TCP proxy in front of PostgreSQL that a test can put into each shape an outage takes,
//! or slow down (each chunk held back), to see what Tessera does when its database goes away
//! or crawls — without stopping the cluster other tests use. The shapes:
//!
//! - `take_down`: open connections cut, new ones accepted and closed at once;
//! - `refuse`: open connections cut and the listener closed, so a connection is refused by the
//!   kernel (the usual outage: the host up, the database process gone);
//! - `black_hole`: open connections stall, new ones are accepted and never answered (a
//!   network partition, a hung server).
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Up,
    AcceptAndClose,
    Refuse,
    BlackHole,
}

pub struct DbProxy {
    pub port: u16,
    shape: watch::Sender<Shape>,
    delay_ms: Arc<AtomicU64>,
    /// Bumped to cut every open connection.
    cut: watch::Sender<u64>,
}

impl DbProxy {
    pub async fn start(upstream: &str) -> DbProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = watch::channel(0u64);
        let (shape, _) = watch::channel(Shape::Up);
        let proxy = DbProxy {
            port,
            shape,
            delay_ms: Arc::new(AtomicU64::new(0)),
            cut,
        };
        tokio::spawn(accept_loop(
            listener,
            upstream.to_string(),
            proxy.shape.subscribe(),
            proxy.delay_ms.clone(),
            proxy.cut.clone(),
        ));
        proxy
    }

    /// The database "goes away": open connections are cut, new ones accepted and closed.
    pub fn take_down(&self) {
        self.shape.send_replace(Shape::AcceptAndClose);
        self.cut.send_modify(|n| *n += 1);
    }

    /// The database process is gone: open connections are cut, and nothing listens on the
    /// port any more, so a new connection is refused.
    pub fn refuse(&self) {
        self.shape.send_replace(Shape::Refuse);
        self.cut.send_modify(|n| *n += 1);
    }

    /// Nothing answers: open connections stall, new ones are accepted and left hanging.
    pub fn black_hole(&self) {
        self.shape.send_replace(Shape::BlackHole);
    }

    pub fn bring_up(&self) {
        self.shape.send_replace(Shape::Up);
    }

    /// Every chunk in either direction waits this long (0: none).
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: String,
    mut shape: watch::Receiver<Shape>,
    delay: Arc<AtomicU64>,
    cuts: watch::Sender<u64>,
) {
    let port = listener.local_addr().unwrap().port();
    let mut listener = Some(listener);
    // Accepted in a black hole: held open, never read, until the shape changes.
    let mut held = Vec::new();
    loop {
        let now = *shape.borrow_and_update();
        if now != Shape::BlackHole {
            held.clear();
        }
        if now == Shape::Refuse {
            // Closed: the kernel refuses connections to the port from now on.
            listener = None;
            if shape.changed().await.is_err() {
                return;
            }
            continue;
        }
        let open = match &listener {
            Some(open) => open,
            None => {
                listener = Some(bind_again(port).await);
                continue;
            }
        };
        tokio::select! {
            accepted = open.accept() => {
                let Ok((client, _)) = accepted else { return };
                let now = *shape.borrow();
                match now {
                    Shape::Up => {
                        let Ok(server) = TcpStream::connect(&upstream).await else {
                            continue;
                        };
                        tokio::spawn(pipe(
                            client,
                            server,
                            delay.clone(),
                            cuts.subscribe(),
                            shape.clone(),
                        ));
                    }
                    Shape::BlackHole => held.push(client),
                    Shape::AcceptAndClose | Shape::Refuse => drop(client),
                }
            }
            changed = shape.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// The same port again, once the database "comes back".
async fn bind_again(port: u16) -> TcpListener {
    for _ in 0..100 {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            return listener;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("cannot listen on port {port} again");
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    delay: Arc<AtomicU64>,
    mut cut: watch::Receiver<u64>,
    shape: watch::Receiver<Shape>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = copy(
        &mut client_read,
        &mut server_write,
        delay.clone(),
        shape.clone(),
    );
    let down = copy(&mut server_read, &mut client_write, delay, shape);
    tokio::select! {
        _ = up => {},
        _ = down => {},
        _ = cut.changed() => {},
    }
}

async fn copy(
    from: &mut tokio::net::tcp::OwnedReadHalf,
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    delay: Arc<AtomicU64>,
    mut shape: watch::Receiver<Shape>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let wait = delay.load(Ordering::SeqCst);
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        // A black hole swallows what it got until the shape changes.
        loop {
            let now = *shape.borrow_and_update();
            if now != Shape::BlackHole {
                break;
            }
            if shape.changed().await.is_err() {
                return;
            }
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
