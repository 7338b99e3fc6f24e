//! RFC 8628, the device authorization grant: its pure part. The user code a person types
//! (`user_code`), what a poll of the token endpoint is answered with (`poll`), and the
//! device authorization response (`response`).
mod grant;
pub mod poll;
pub mod response;
pub mod user_code;

pub use grant::{DeviceCodeGrant, parse};
pub use poll::{Approval, DeviceGrant, DeviceStatus, Poll, decide_poll};
pub use response::DeviceAuthorizationResponse;
pub use user_code::UserCode;

/// RFC 8628 §3.4: the `grant_type` of a poll, and the name clients list in `grant_types`.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 8628 §3.5: each `slow_down` adds this many seconds to the code's interval.
pub const SLOW_DOWN_STEP: i64 = 5;
