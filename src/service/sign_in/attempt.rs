//! The attempt sequence, written once for every guessable credential (a password, a code, a
//! passkey's signature, a client's secret or assertion): *reserve* one attempt on every limit
//! that applies (`Throttled` when one is full, before anything is looked at), *evaluate* the
//! guess, *settle* the reservation by what the evaluation made of it. The throttle itself
//! (limits, reservations) is `service::throttle`.
use std::future::Future;

use crate::auth::throttle::{Limit, ThrottleKind};
use crate::service::error::Result;
use crate::service::throttle::{self, Reservation};
use crate::store::Store;
use crate::store::users::SignInAccount;

/// How an evaluated attempt counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// A wrong guess: a failure on every limit.
    Fail,
    /// A right guess, or one that was not really evaluated: it counts against nobody.
    Release,
    /// A right guess: the failures of the limits of these kinds start over (the account's,
    /// after a correct password); the others are released.
    Clear(&'static [ThrottleKind]),
}

/// The verdict of one credential's check: it says how its attempt counts.
pub trait Verdict {
    fn settle(&self) -> Settle;

    /// How an attempt counts when its evaluation failed (the database, or the password pool
    /// shedding it): by default not at all, since nothing was guessed.
    const IF_NOT_EVALUATED: Settle = Settle::Release;
}

/// One attempt reserved on a set of limits: the guess it allows may now be evaluated.
pub struct Attempt {
    reservation: Reservation,
}

/// Reserves one attempt on every limit of `limits`, or none (`Throttled`).
pub async fn reserve(store: &Store, limits: Vec<Limit>, now: i64) -> Result<Attempt> {
    let reservation = throttle::reserve(store, limits, now).await?;
    Ok(Attempt { reservation })
}

/// As [`reserve`], reading the account a password names in the same round trip.
pub async fn reserve_reading_account(
    store: &Store,
    limits: Vec<Limit>,
    email: &str,
    now: i64,
) -> Result<(Attempt, Option<SignInAccount>)> {
    let (reservation, account) =
        throttle::reserve_reading_account(store, limits, email, now).await?;
    Ok((Attempt { reservation }, account))
}

/// The whole sequence: reserves an attempt on `limits`, then runs `evaluation` (a future only
/// starts when awaited, so nothing of it runs before the reservation) and settles.
pub async fn run<V: Verdict>(
    store: &Store,
    limits: Vec<Limit>,
    now: i64,
    evaluation: impl Future<Output = Result<V>>,
) -> Result<V> {
    reserve(store, limits, now)
        .await?
        .evaluate(evaluation)
        .await
}

impl Attempt {
    /// Runs `evaluation` on this attempt and settles it by the verdict, or by
    /// `V::IF_NOT_EVALUATED` when the evaluation failed (whose error is then returned).
    pub async fn evaluate<V: Verdict>(
        self,
        evaluation: impl Future<Output = Result<V>>,
    ) -> Result<V> {
        match evaluation.await {
            Ok(verdict) => {
                self.settle(verdict.settle()).await?;
                Ok(verdict)
            }
            Err(e) => {
                self.settle(V::IF_NOT_EVALUATED).await?;
                Err(e)
            }
        }
    }

    /// Gives the attempt back unevaluated: another check of the same request refused first.
    pub async fn abandon(self) -> Result<()> {
        self.settle(Settle::Release).await
    }

    async fn settle(self, how: Settle) -> Result<()> {
        match how {
            Settle::Fail => self.reservation.fail().await,
            Settle::Release => self.reservation.release().await,
            Settle::Clear(kinds) => self.reservation.clear(kinds).await,
        }
    }
}
