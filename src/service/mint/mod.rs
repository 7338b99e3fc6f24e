//! Minting the tokens of an issuance, one job a file: who and what they are for
//! (`issuance`), how long each lives (`lifetime`), signing the access and ID tokens (`sign`)
//! and the stored row of a refresh token (`refresh_family`).
pub mod issuance;
pub mod lifetime;
pub mod refresh_family;
pub mod sign;
