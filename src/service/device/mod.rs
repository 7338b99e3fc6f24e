//! The device authorization grant (RFC 8628) as use cases: a device asks for codes
//! (`authorization`), a person types the user code on `/device` (`entry`, under the
//! throttle) and, signed in, allows or denies it (`answer`), and the device polls the token
//! endpoint until it gets tokens once (`poll`). What each answer is, is `oauth::device`.
pub mod answer;
pub mod authorization;
pub mod entry;
pub mod poll;
