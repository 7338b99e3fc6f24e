//! A TCP proxy in front of PostgreSQL that a test can take down (every connection cut, new
//! ones refused) or slow down (each chunk held back), to see what Tessera does when its
//! database goes away or crawls — without stopping the cluster other tests use.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct DbProxy {
    pub port: u16,
    down: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
    /// Bumped to cut every open connection.
    cut: watch::Sender<u64>,
}

impl DbProxy {
    pub async fn start(upstream: &str) -> DbProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = watch::channel(0u64);
        let proxy = DbProxy {
            port,
            down: Arc::new(AtomicBool::new(false)),
            delay_ms: Arc::new(AtomicU64::new(0)),
            cut,
        };
        let (down, delay, cuts) = (
            proxy.down.clone(),
            proxy.delay_ms.clone(),
            proxy.cut.clone(),
        );
        let upstream = upstream.to_string();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                tokio::spawn(pipe(client, server, delay.clone(), cuts.subscribe()));
            }
        });
        proxy
    }

    /// The database "goes away": open connections are cut, new ones refused.
    pub fn take_down(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    pub fn bring_up(&self) {
        self.down.store(false, Ordering::SeqCst);
    }

    /// Every chunk in either direction waits this long (0: none).
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    delay: Arc<AtomicU64>,
    mut cut: watch::Receiver<u64>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = copy(&mut client_read, &mut server_write, delay.clone());
    let down = copy(&mut server_read, &mut client_write, delay);
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
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
