//! STUB (the lead's compile aid; replaced by part B's module at merge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyRefusal {
    TooShort { min: usize },
    TooLong { max: usize },
    TooCommon,
    LikeYourAccount,
}
impl PolicyRefusal {
    pub fn message_id(&self) -> &'static str {
        "password-too-short"
    }
}
pub fn check(password: &str, min_length: usize, context: &[&str]) -> Result<(), PolicyRefusal> {
    let _ = context;
    if password.chars().count() < min_length {
        return Err(PolicyRefusal::TooShort { min: min_length });
    }
    Ok(())
}
