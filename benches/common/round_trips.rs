//! Round trips on the PostgreSQL wire per operation, from operations made one at a time on a
//! still wire (`DbProxy::count`): exact where the measured window's average
//! (round trips in the window / operations) also holds the operations straddling its edges,
//! and able to tell the requests of one operation apart (W3's /authorize and /token). The
//! median of several is reported, so that a background statement (the outbox poll every
//! 5 s) landing in one count does not move it. The W3 flow and the password sign-in are
//! driven here request by request.
use serde_json::{Value, json};

use super::agent::{Agent, Outcome, Provider};
use super::db_proxy::DbProxy;
use super::pg_wire::WireSnapshot;

/// Operations counted one at a time per workload (every agent's sign-in is counted too);
/// the median is reported.
pub const ONE_AT_A_TIME: usize = 9;

/// Counts of one step, each from one operation.
pub struct Tally {
    pub label: &'static str,
    samples: Vec<WireSnapshot>,
}

impl Tally {
    pub fn new(label: &'static str) -> Tally {
        Tally {
            label,
            samples: Vec::new(),
        }
    }

    pub fn add(&mut self, sample: WireSnapshot) {
        self.samples.push(sample);
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Each counter's median (the upper one of an even count).
    pub fn median(&self) -> WireSnapshot {
        let of = |field: fn(&WireSnapshot) -> u64| {
            let mut values: Vec<u64> = self.samples.iter().map(field).collect();
            values.sort_unstable();
            values.get(values.len() / 2).copied().unwrap_or(0)
        };
        WireSnapshot {
            round_trips: of(|s| s.round_trips),
            pings: of(|s| s.pings),
            statements: of(|s| s.statements),
            prepares: of(|s| s.prepares),
            sessions: of(|s| s.sessions),
            unreadable: of(|s| s.unreadable),
        }
    }

    /// The fewest and the most round trips seen.
    pub fn range(&self) -> (u64, u64) {
        let trips = self.samples.iter().map(|s| s.round_trips);
        (trips.clone().min().unwrap_or(0), trips.max().unwrap_or(0))
    }

    pub fn print_header() {
        println!(
            "{:<38} {:>11} {:>6} {:>10} {:>8}  range (n)",
            "operation (one at a time)", "round trips", "pings", "statements", "prepares",
        );
    }

    pub fn print_row(&self) {
        let median = self.median();
        let (fewest, most) = self.range();
        println!(
            "{:<38} {:>11} {:>6} {:>10} {:>8}  {fewest}–{most} ({})",
            self.label,
            median.round_trips,
            median.pings,
            median.statements,
            median.prepares,
            self.samples.len(),
        );
    }

    pub fn to_json(&self) -> Value {
        let median = self.median();
        let (fewest, most) = self.range();
        json!({
            "operation": self.label,
            "samples": self.samples.len(),
            "round_trips": median.round_trips,
            "pings": median.pings,
            "statements": median.statements,
            "prepares": median.prepares,
            "round_trips_min": fewest,
            "round_trips_max": most,
        })
    }
}

/// W3 one flow at a time: `GET /authorize` and `POST /token` apart, and both together.
pub async fn count_silent_flows(
    agent: &mut Agent,
    provider: &Provider,
    proxy: &DbProxy,
) -> Vec<Tally> {
    let mut authorize = Tally::new("W3 GET /authorize");
    let mut token = Tally::new("W3 POST /token");
    let mut both = Tally::new("W3 silent code flow (both)");
    for _ in 0..ONE_AT_A_TIME {
        let counted = async {
            let (code, first) = proxy.count(agent.authorize_silently(provider)).await;
            let (redeemed, second) = proxy.count(agent.redeem(provider, code?)).await;
            redeemed.map(|()| (first, second))
        };
        match counted.await {
            Ok((first, second)) => {
                authorize.add(first);
                token.add(second);
                both.add(first.plus(second));
            }
            Err(e) => println!("    W3, one at a time: {e}"),
        }
    }
    vec![authorize, token, both]
}

/// A password sign-in's requests, each counted on a still wire.
pub struct SignInTallies {
    login_page: Tally,
    post_login: Tally,
    back_to_client: Tally,
    token: Tally,
    whole: Tally,
}

impl Default for SignInTallies {
    fn default() -> SignInTallies {
        SignInTallies {
            login_page: Tally::new("sign-in: GET /authorize → login page"),
            post_login: Tally::new("sign-in: POST /login"),
            back_to_client: Tally::new("sign-in: redirects on to the code"),
            token: Tally::new("sign-in: POST /token"),
            whole: Tally::new("sign-in: whole flow"),
        }
    }
}

impl SignInTallies {
    /// `agent.password_flow`, step by step.
    pub async fn sign_in(
        &mut self,
        agent: &mut Agent,
        provider: &Provider,
        proxy: &DbProxy,
    ) -> Outcome {
        let (page, opening) = proxy.count(agent.open_login_page()).await;
        let (signed_in, posting) = proxy.count(agent.post_password(page?)).await;
        let (code, returning) = proxy
            .count(agent.return_to_client(provider, signed_in?))
            .await;
        let (redeemed, redeeming) = proxy.count(agent.redeem(provider, code?)).await;
        redeemed?;
        self.login_page.add(opening);
        self.post_login.add(posting);
        self.back_to_client.add(returning);
        self.token.add(redeeming);
        self.whole
            .add(opening.plus(posting).plus(returning).plus(redeeming));
        Ok(())
    }

    pub fn into_vec(self) -> Vec<Tally> {
        vec![
            self.login_page,
            self.post_login,
            self.back_to_client,
            self.token,
            self.whole,
        ]
    }
}
