//! STUB (the lead's compile aid; replaced by part A's module at merge).
use crate::i18n::Locale;
use crate::service::error::Result;
use crate::state::AppState;

pub enum MailKind {
    VerifyEmail {
        link: String,
    },
    ResetPassword {
        link: String,
    },
    PasswordChanged {
        reset_link: String,
    },
    SignUpExists {
        sign_in_link: String,
        reset_link: String,
    },
    Invite {
        link: String,
    },
    EmailChangeConfirm {
        link: String,
    },
    EmailChangeNotice {
        new_email: String,
        undo_link: String,
    },
    AccountDeleted,
}
pub struct Mail {
    pub to: String,
    pub locale: Locale,
    pub kind: MailKind,
}
pub async fn queue(state: &AppState, mail: Mail, now: i64) -> Result<()> {
    let _ = (state, mail, now);
    Ok(())
}
