# Tessera's page texts, English: the reference catalogue and the fallback.
# Every message here must also be in de.ftl and fr.ftl (the tests check it).
# Messages ending in "-html" hold markup; their arguments are HTML-escaped before placing.

## Shared by the sign-in pages

continue-to-client-html = to continue to <strong>{ $client }</strong>
continue-to-account-html = to continue to <strong>your account</strong>
form-throttled = Too many attempts. Try again in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.

## Sign-in (password)

login-title = Sign in
login-email = Email
login-password = Password
login-submit = Sign in
login-bad-credentials = The email or password is incorrect.
login-expired = The sign-in form expired. Please sign in again.

## Sign-in (second step)

totp-title = Two-step verification
totp-code = Code from your authenticator app
totp-lost-device = Lost your device? Enter one of your recovery codes instead.
totp-submit = Verify
totp-wrong-code = That code is not valid. A code works only once: if you just used one, wait for the next.
totp-expired = The form expired. Please enter the code again.

## Consent

consent-title = Allow access
consent-heading = Allow access?
consent-lead-html = <strong>{ $client }</strong> wants to:
consent-use-api-html = Use <strong>{ $api }</strong> for you
consent-signed-in-as = Signed in as { $email }.
consent-deny = Deny
consent-allow = Allow
consent-client-host-html = This app is served from <strong>{ $host }</strong>.
consent-self-described = Its name and logo are its own claims, not checked by this server. Allow only if you trust the address above.
consent-self-registered = This app registered itself with this server. Its name is its own claim and has not been verified.
consent-redirect-host = Your answer is sent to { $host }.
scope-openid = Know who you are (a stable account identifier)
scope-profile = See your name
scope-email = See your email address
scope-offline-access = Stay connected: keep access while you are not using it

## Account

account-title = Your account
account-signed-in-as-html = Signed in as <strong>{ $email }</strong>.
account-sessions = Where you are signed in
account-session = Signed in { $signed_in }, last active { $last_seen }
account-this-browser = (this browser)
account-end-session = Sign out
account-apps = Apps you allowed
account-no-apps = No apps yet.
activity-title = Recent activity
activity-none = Nothing yet.
activity-by-admin = by an administrator
activity-sign-in = Signed in
activity-sign-in-failed = Sign-in attempt with a wrong password
activity-sign-in-throttled = Sign-in attempts paused after too many failures
activity-second-step-failed = Wrong code at the second step
activity-passkey-added = Passkey added
activity-passkey-removed = Passkey removed
activity-totp-enabled = Two-step verification turned on
activity-totp-disabled = Two-step verification turned off
activity-recovery-codes = New recovery codes made
activity-recovery-code-used = Recovery code used
activity-password-changed = Password changed
activity-password-by-link = Password set through an emailed link
activity-password-by-admin = Password set by an administrator
activity-email-changed = Email address changed
activity-email-verified = Email address confirmed
activity-identity-linked = Account linked
activity-identity-unlinked = Linked account removed
activity-session-ended = Signed out
activity-app-allowed = App allowed
activity-app-removed = App access removed
activity-token-reuse = A copied sign-in token was detected and revoked
activity-second-factors-reset = Two-step verification reset
device-browser-on-system = { $browser } on { $system }
account-remove-access = Remove access
account-mfa-link = Two-step verification
account-sign-out = Sign out of { $product }
ago-just-now = just now
ago-minutes = { $count ->
    [one] { $count } minute ago
   *[other] { $count } minutes ago
}
ago-hours = { $count ->
    [one] { $count } hour ago
   *[other] { $count } hours ago
}
ago-days = { $count ->
    [one] { $count } day ago
   *[other] { $count } days ago
}

## Two-step verification settings

mfa-title = Two-step verification
mfa-signed-in-as = Signed in as { $email }.
mfa-required-by-html = <strong>{ $client }</strong> requires two-step verification. Set it up to continue.
mfa-not-configured = Two-step verification cannot be set up on this server yet: the administrator has not configured its master key.
mfa-password-needed = Changing two-step verification needs your password: you signed in more than a few minutes ago.
mfa-enrol-lead = Protect your account with a code from an authenticator app, asked for after your password.
mfa-step-scan = Scan this QR code with an authenticator app.
mfa-step-type-key = Or type this key into the app:
mfa-step-setup-link-html = (on this device you can also open the <a href="{ $uri }">setup link</a>).
mfa-step-enter-code = Enter the 6-digit code the app shows.
mfa-setup-uri = Setup URI:
mfa-your-password = Your password
mfa-code-from-the-app = Code from the app
mfa-enable = Turn on two-step verification
mfa-on-html = Two-step verification is <strong>on</strong>: signing in asks for a code from your authenticator app after your password.
mfa-codes-left = { $count ->
    [0] No unused recovery codes left.
    [one] One unused recovery code left.
   *[other] Unused recovery codes: { $count }.
}
mfa-new-codes-heading = New recovery codes
mfa-new-codes-explained = Makes ten new codes; the old ones stop working.
mfa-code-from-your-app = Code from your app
mfa-make-new-codes = Make new recovery codes
mfa-turn-off-heading = Turn off
mfa-code-or-recovery-code = Code from your app, or a recovery code
mfa-disable = Turn off two-step verification
mfa-codes-lead = Two-step verification is on. Keep these recovery codes somewhere safe: each one signs you in once if you lose your authenticator, and this is the only time they are shown.
mfa-continue-to = Continue to { $client }
mfa-done = Done
mfa-refused = The password or the code is incorrect.
mfa-password-required = Enter your password to make this change.
mfa-unavailable = Codes from your authenticator app cannot be checked right now; use a recovery code.

## Sign-out

logout-title = Sign out
logout-heading = Sign out?
logout-lead-client-html = <strong>{ $client }</strong> asks to sign you out of { $product }.
logout-lead = Do you want to sign out of { $product }?
logout-submit = Sign out
signed-out-title = Signed out
signed-out-heading = You are signed out
signed-out-close = You can close this window.

## Error pages

error-go-back = If you followed a link from an application, go back to it and try again.
error-invalid-request-title = Invalid sign-in request
error-missing-client-id = The request has no client_id.
error-unknown-client = The application that sent you here is not registered with this server.
error-client-metadata-title = Application not accepted
error-client-metadata = The application that sent you here names itself by an address whose description cannot be used: { $reason }
error-missing-redirect-uri = The request has no redirect_uri.
error-unregistered-redirect-uri = The redirect_uri in the request is not registered for this application.
error-duplicate-parameter = The parameter { $name } was sent more than once.
error-invalid-request-uri = The request_uri is unknown, has expired or was already used (invalid_request_uri). Go back to the application and start again.
error-pushed-request-ended = This sign-in request has expired or was already completed. Go back to the application and start again.
error-invalid-logout-title = Invalid sign-out request
error-logout-foreign-hint = The id_token_hint was not issued by this server.
error-logout-unknown-client = The application that sent you here is not registered.
error-logout-hint-mismatch = The client_id does not match the id_token_hint.
error-form-expired-title = Form expired
error-form-expired-reload = This form has expired. Reload the page and try again.
error-form-expired-sign-in-again = This form has expired. Go back to the application and sign in again.
error-invalid-form-title = Invalid form
error-choose-allow-or-deny = Choose Allow or Deny.
error-form-encoding = Forms and requests must be sent as application/x-www-form-urlencoded.
error-totp-unavailable-title = Two-step verification unavailable
error-totp-unavailable = Codes from your authenticator app cannot be checked right now; a recovery code still works. If this persists, contact the administrator.
error-unavailable-title = Temporarily unavailable
error-unavailable = The sign-in service cannot reach its database right now. Please try again in a few seconds.
error-not-found-title = Page not found
error-not-found = There is no page at this address.

## The page footer's links ([branding] support_url, privacy_url, terms_url)
footer-help = Help
footer-privacy = Privacy
footer-terms = Terms

## Passkeys: the sign-in pages and the account page (/account/passkeys)
passkey-or = or
passkey-sign-in = Sign in with a passkey
passkey-use = Use a passkey
passkey-browser-problem = The passkey did not work in this browser. Try again, or use another way to sign in.
passkey-needs-javascript = Passkeys need JavaScript, which is turned off in this browser.
passkeys-title = Passkeys
passkeys-signed-in-as = Signed in as { $email }.
passkeys-lead = Sign in with your fingerprint, face or screen lock instead of a password. A passkey counts as two steps at once.
passkeys-none = You have no passkeys yet.
passkey-synced = Synced between your devices
passkey-device-bound = On one device or security key
passkey-added-when = Added { $when }
passkey-used-when = Last used { $when }
passkey-never-used = Not used yet
passkey-name = Name
passkey-name-optional = Name (optional)
passkey-rename = Rename
passkey-remove = Remove
passkeys-add-title = Add a passkey
passkeys-add = Add a passkey
passkeys-back = Back to your account
account-passkeys-link = Passkeys
passkey-expired = The passkey request expired. Please try again.
passkey-unavailable = Passkeys are not available on this server.
passkey-unavailable-ip = Passkeys are off: this server is reached by an IP address, and passkeys need a domain name (for a local test, open it as http://localhost). Ask the administrator.
passkey-unavailable-insecure = Passkeys are off: they need a secure (https) connection to this server. Ask the administrator.
passkey-password-required = Enter your password to change your passkeys: you signed in more than a few minutes ago.
passkey-wrong-password = The password is incorrect.
passkey-duplicate = This passkey is registered already.
passkey-rejected = The passkey was not accepted. Try again, or use another way to sign in.
factors-second-factor-required = Changing your passkeys or two-step verification needs your second factor: enter a code from your authenticator app, or sign out and sign in again with a passkey.
passkey-name-invalid = A passkey’s name must be 1 to 64 characters long.
passkey-added = Passkey added.
passkey-renamed = Passkey renamed.
passkey-removed = Passkey removed.

## Upstream identity providers ("Continue with GitHub") and linked accounts
upstream-continue = Continue with { $provider }
upstream-list-label = Other ways to sign in
upstream-link-first-html = An account with <strong>{ $email }</strong> already exists. Sign in with your password or passkey to link { $provider } to it.
upstream-expired-title = Sign-in expired
upstream-expired = This sign-in has expired or was already used. Go back to the app and sign in again.
upstream-denied = Signing in with { $provider } was cancelled. You can sign in with your password instead.
upstream-unavailable = { $provider } cannot be reached right now. Try again later, or sign in with your password.
upstream-failed = Signing in with { $provider } did not work. Try again, or sign in with your password.
upstream-no-account = No account here is linked to this { $provider } account. Sign in with your password, then link { $provider } on your account page.
upstream-domain-not-allowed = The email address of this { $provider } account is not one this service accepts.
upstream-no-verified-email = { $provider } did not confirm an email address for this account. Confirm your email address at { $provider } and try again.
upstream-account-disabled = This account is disabled.
upstream-linked-elsewhere = This { $provider } account is already linked to another account.
account-identities-link = Linked accounts
identities-title = Linked accounts
identities-lead = Sign in with an account you have elsewhere instead of your password.
identities-none = No accounts are linked yet.
identities-linked-when = Linked { $when }
identities-unlink = Unlink { $provider }
identities-link-title = Link an account
identities-link = Link { $provider }
identities-linked = The account is linked.
identities-unlinked = The account is unlinked.
identities-linked-elsewhere = That account is already linked to another account here.
identities-not-allowed = The email address of that account is not one this service accepts.
identities-signed-out = You were signed out before the link was made. Sign in and try again.
identities-denied = Linking was cancelled.
identities-unavailable = The provider cannot be reached right now. Try again later.
identities-failed = Linking did not work. Try again.
identities-sign-in-again = For your security, sign in again before you change how you sign in.
identities-sign-in-again-link = Sign in again
identities-last-way = This is the only way you can sign in. Add a passkey before you unlink it.
identities-not-found = There is nothing to link or unlink there.

## The account's security: password, deletion, data download
account-password-link = Change your password
account-export-link = Download your data
account-delete-link = Delete your account
password-title = Password
password-lead = Type your current password, then the new one twice.
password-first-lead = Your account has no password yet: you sign in with another provider. Set one to sign in here directly too.
password-first-needs-sign-in = For your security, sign in again before you set a password.
password-rules-hint = Use at least { $count } characters. A few unrelated words make a strong password. Common passwords, your email address and the name of this service are refused.
password-current = Current password
password-new = New password
password-new-again = New password again
password-change = Change password
password-set = Set password
password-other-sessions-end = This signs you out on every other device.
password-changed = Password changed. You were signed out on every other device.
password-not-the-same = The two new passwords are not the same.
password-wrong-current = The current password is wrong.
password-rule-too-short = The new password needs at least { $count } characters.
password-rule-too-long = The new password is too long: at most { $count } bytes.
password-rule-too-common = The new password is too common or too easy to guess. Try a longer one, such as a few unrelated words.
password-rule-like-your-account = The new password must not contain your email address or the name of this service.
delete-title = Delete your account
delete-lead = This deletes your account at { $product } for good. It cannot be undone.
delete-what-goes = You are signed out everywhere, the apps you use are told, and your sessions, app permissions, two-step verification, passkeys and linked accounts are removed.
delete-export-first = Download your data first
delete-needs-sign-in = For your security, sign in again before you delete your account.
delete-confirm = I understand that my account is deleted for good.
delete-submit = Delete my account
delete-not-confirmed = Tick the box to confirm that you want to delete your account.
delete-wrong-password = The password is wrong.
deleted-title = Your account was deleted
deleted-lead = Your account and everything stored with it are gone.
deleted-apps-told = The apps you signed in to were told that you signed out. You can close this window.
## Emailed links: forgot password, reset, verification, sign-up, invitation, email change
login-forgot = Forgot your password?
login-sign-up = Create an account
link-expired-title = Link expired
link-expired = This link has expired, was already used, or was replaced by a newer one.
link-expired-sign-in = Go to sign-in
notice-to-account = Go to your account
forgot-title = Forgot your password?
forgot-lead = Enter your email address and we will send you a link to choose a new password.
forgot-submit = Send the link
forgot-back = Back to sign-in
forgot-sent-title = Check your email
forgot-sent = If an account has this address, we have sent it a link to choose a new password. The link works for 30 minutes.
reset-title = Choose a new password
reset-submit = Save the new password
invitation-title = Set your password
invitation-submit = Set the password
new-password-for-html = For the account <strong>{ $email }</strong>.
new-password-label = New password
new-password-repeat = New password again
new-password-rules = At least { $min } characters. A long passphrase is best; common passwords are refused.
new-password-mismatch = The two passwords are not the same.
verify-title = Confirm your email address
verify-lead-html = Confirm that <strong>{ $email }</strong> is your address.
verify-submit = Confirm
verify-done-title = Address confirmed
verify-done = Thank you: your email address is confirmed.
sign-up-title = Create an account
sign-up-name = Name (optional)
sign-up-submit = Create the account
sign-up-have-account = Already have an account? Sign in
sign-up-sent-title = Check your email
sign-up-sent = We have sent a link to your address. Open it to finish creating your account; it works for 24 hours.
sign-up-invalid-email = Enter a valid email address.
sign-up-domain-not-allowed = Sign-up is not open for addresses of this domain.
sign-up-confirm-title = Finish creating your account
sign-up-confirm-lead-html = Confirm <strong>{ $email }</strong> to create your account.
sign-up-confirm-submit = Create my account
sign-up-done-title = Your account is ready
sign-up-done = Your email address is confirmed and your account is ready. Sign in with your password.
sign-up-done-sign-in = Sign in
sign-up-exists-title = You already have an account
sign-up-exists = An account with this address already exists. Sign in, or reset your password if you forgot it.
email-change-confirm-title = Confirm your new email address
email-change-confirm-lead-html = Use <strong>{ $email }</strong> as your account's address from now on.
email-change-confirm-submit = Confirm the new address
email-change-done-title = Email address changed
email-change-done = Your account's address is changed. We told your old address, in case it was not you.
email-change-taken-title = Address not available
email-change-taken = Another account has this address now, so it was not changed.
email-change-undo-title = Put your old address back
email-change-undo-lead-html = Make <strong>{ $email }</strong> your account's address again and sign out everywhere.
email-change-undo-submit = Put it back
email-change-undone-title = Your old address is back
email-change-undone = Your account has its old address again and is signed out everywhere. If you did not change it, choose a new password now.
email-change-undone-reset = Choose a new password
account-email-link = Email address
account-email-title = Email address
account-email-current-html = Your address is <strong>{ $email }</strong>.
account-email-verified = It is confirmed.
account-email-unverified = It is not confirmed yet.
account-email-send-verification = Send the confirmation link
account-email-change = Change your address
account-email-new = New email address
account-email-change-submit = Send a link to the new address
account-email-change-how = We send a link to the new address; your address changes when you open it. Your old address is told and can undo the change for 72 hours.
account-email-verification-sent = We have sent a confirmation link to your address.
account-email-change-sent = We have sent a link to the new address. Open it to finish the change.
account-email-already-verified = Your address is already confirmed.
account-email-too-many = We have sent several links to this address in the last hour. Try again later.
account-email-sign-in-again = For your security, sign in again before you change your address.
account-email-same = This is already your address.

## Mail
mail-greeting = Hello,
mail-link-fallback = If the button does not work, copy this address into your browser:
mail-footer = { $product } sent this message automatically. Replies to it are not read.
mail-verify-email-subject = Confirm your email address for { $product }
mail-verify-email-why = Someone, hopefully you, asked to use this email address for an account at { $product }. Please confirm that it is yours.
mail-verify-email-action = Confirm my email address
mail-verify-email-expiry = The link works for 24 hours.
mail-verify-email-not-you = If this was not you, you can ignore this message: nothing changes without the link.
mail-reset-password-subject = Choose a new password for { $product }
mail-reset-password-why = Someone, hopefully you, asked to reset the password of your { $product } account.
mail-reset-password-action = Choose a new password
mail-reset-password-expiry = The link works once, for 30 minutes.
mail-reset-password-not-you = If this was not you, you can ignore this message: your password stays as it is.
mail-password-changed-subject = Your { $product } password was changed
mail-password-changed-why = The password of your { $product } account was just changed, and every other session was signed out.
mail-password-changed-not-you = If this was not you, someone else may know your password: choose a new one now.
mail-password-changed-action = Reset my password
mail-sign-up-exists-subject = Someone tried to sign up for { $product } with your address
mail-sign-up-exists-why = Someone tried to create a { $product } account with this email address, which already has one.
mail-sign-up-exists-sign-in-hint = If it was you, sign in with your existing account instead:
mail-sign-up-exists-sign-in = Sign in
mail-sign-up-exists-reset-hint = If you forgot your password, choose a new one:
mail-sign-up-exists-reset = Reset my password
mail-sign-up-exists-not-you = If it was not you, you can ignore this message: nobody can use your account without your password.
mail-invite-subject = You are invited to { $product }
mail-invite-why = An account at { $product } was created for you. Choose your password to start using it.
mail-invite-action = Choose my password
mail-invite-expiry = The link works for 7 days.
mail-invite-not-you = If you did not expect this invitation, you can ignore this message.
mail-email-change-confirm-subject = Confirm your new email address for { $product }
mail-email-change-confirm-why = Someone, hopefully you, asked to change the email address of a { $product } account to this one. Please confirm that it is yours.
mail-email-change-confirm-action = Confirm my new address
mail-email-change-confirm-expiry = The link works for 24 hours.
mail-email-change-confirm-not-you = If this was not you, you can ignore this message: nothing changes without the link.
mail-email-change-notice-subject = The email address of your { $product } account was changed
mail-email-change-notice-why = The email address of your { $product } account was changed to { $new_email }. Messages about the account now go there.
mail-email-change-notice-not-you = If this was not you, put your address back with this link. It works for 72 hours.
mail-email-change-notice-action = Undo the change
mail-account-deleted-subject = Your { $product } account was deleted
mail-account-deleted-why = Your { $product } account was deleted, with everything { $product } held about you. Apps you signed in to were told.
mail-account-deleted-not-you = If this was not you, contact the people who run { $product } as soon as you can.

## Device sign-in (RFC 8628)

device-title = Connect a device
device-heading = Connect a device
device-lead = Enter the code your device shows.
device-code-label = Code from your device
device-code-hint = Eight letters, as shown on the device, for example BCDF-GHJK.
device-continue = Continue
device-code-wrong = That code is not right, has expired or was already used. Check the device and try again.
device-form-expired = The form expired. Please enter the code again.
device-consent-title = Allow a device
device-consent-heading = Allow this device?
device-consent-lead-html = A device using <strong>{ $client }</strong> wants to:
device-consent-warning = Only continue if you started this yourself on a device you own. If someone sent you this code or asked you to enter it, choose Deny.
device-done-title = Device connected
device-approved = { $client } is connected. You can return to your device now.
device-denied-title = Device not connected
device-denied = { $client } was not connected. You can close this page.
device-ended-title = Code no longer valid
device-ended = This code expired, was already answered, or was entered somewhere else. Start again on the device.
device-second-factor-required = { $client } requires two-step verification, which your account does not have. Set it up on your account page, then start again on the device.
