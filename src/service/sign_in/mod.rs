//! Signing in, as one state machine for every credential (the model is kanidm's
//! `idm/authsession`: one session, each credential a step, one outcome).
//!
//! ```text
//!            password passed,                 code or passkey
//!            user has a second factor          passed
//! nobody ──────────────────────────▶ pending ─────────────────▶ signed in
//!    │                                   (a PendingSignIn:            ▲
//!    │                                    cookie + row, 5 min)        │
//!    └────────────────────────────────────────────────────────────────┘
//!       password passed and no second factor; or a passkey (two factors in one)
//! ```
//!
//! A password-only session that an application asks to step up enters `pending` too
//! (`service::authorize`), and the session it steps up is replaced when the second step passes.
//!
//! The files, one job each:
//! - `attempt`: the throttle sequence every guess goes through, written once: reserve on the
//!   limits, evaluate, settle (wrong: a failure; right: released, or named limits cleared;
//!   not evaluated: released). Client secrets and assertions use it too.
//! - `password`, `passkey`, `upstream` (GitHub, any OpenID provider): first factors. `code` (TOTP or recovery code) and `passkey`: the
//!   second step's factors.
//! - `first_factor`: where every first factor lands; it decides *second step next* or
//!   *signed in* from the methods proved and the user's factors.
//! - `pending`: the pending sign-in (one name down to the table, `pending_sign_ins`).
//! - `second_step`: the second step, one completion whatever factor proved it.
//! - `after`: what follows a completed sign-in (a step the http layer renders).
//! - `linking`: an upstream identity whose email names an existing account, waiting for that
//!   account's owner to sign in before it is linked.
//!
//! Adding a credential (an emailed link, a device code; `upstream` is one) is one new file:
//! check the credential, under `attempt::run` with the limits that fit if it can be guessed,
//! then hand `first_factor::passed` the user, the methods proved (`Amr`), the time they were
//! proved and the browser's session cookie; return its [`SignIn`]. Pages render [`SignIn`] as
//! they do for a password.
use crate::service::passkeys;
use crate::service::sessions::NewSession;

pub mod after;
pub mod attempt;
mod audit;
pub mod code;
pub mod email_link;
pub mod first_factor;
pub mod linking;
pub mod passkey;
pub mod password;
pub mod pending;
pub mod second_step;
pub mod upstream;

/// How a first factor (a password, a passkey) ended.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the browser's new session.
    SignedIn(NewSession),
    /// The first factor passed and the user has a second: the second step next.
    SecondStepNext(pending::NewPendingSignIn),
    Refused(Refusal),
}

/// Why a first factor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong email or password, or a disabled account (told apart only in the log).
    WrongEmailOrPassword,
    /// The passkey was not accepted (passkeys off, the ceremony expired, the answer refused).
    Passkey(passkeys::Refusal),
}
