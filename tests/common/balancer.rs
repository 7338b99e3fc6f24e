//! A load balancer in front of several instances, as a test needs one: one address (the
//! issuer every instance shares), and each new connection sent to the instance the test
//! chose, so a flow's steps can be placed on A or B. It counts the connections each instance
//! got, so a test can show a step really went where it meant.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpStream};

pub struct Balancer {
    pub port: u16,
    target: Arc<AtomicUsize>,
    connections: Arc<Vec<AtomicU64>>,
}

impl Balancer {
    /// Listens on a free loopback port; connections go to `upstreams[0]` until told otherwise.
    pub async fn start(upstreams: Vec<u16>) -> Balancer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let target = Arc::new(AtomicUsize::new(0));
        let connections: Arc<Vec<AtomicU64>> =
            Arc::new(upstreams.iter().map(|_| AtomicU64::new(0)).collect());
        let (chosen, counts) = (target.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let index = chosen.load(Ordering::SeqCst);
                counts[index].fetch_add(1, Ordering::SeqCst);
                let upstream = upstreams[index];
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Balancer {
            port,
            target,
            connections,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// New connections from now on go to upstream `index`.
    pub fn send_to(&self, index: usize) {
        self.target.store(index, Ordering::SeqCst);
    }

    /// Connections upstream `index` has been given so far.
    pub fn connections(&self, index: usize) -> u64 {
        self.connections[index].load(Ordering::SeqCst)
    }
}

/// An HTTP client that opens a new connection for every request, so each one goes where the
/// balancer is pointing at that moment.
pub fn unpooled_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}
