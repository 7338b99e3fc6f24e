# Tessera's page texts, German (formal "Sie"). Same ids as en.ftl; the tests check it.
# Messages ending in "-html" hold markup; their arguments are HTML-escaped before placing.

## Shared by the sign-in pages

continue-to-client-html = um mit <strong>{ $client }</strong> fortzufahren
continue-to-account-html = um zu <strong>Ihrem Konto</strong> zu gelangen
form-throttled = Zu viele Versuche. Versuchen Sie es in { $minutes ->
    [one] einer Minute
   *[other] { $minutes } Minuten
} erneut.

## Sign-in (password)

login-title = Anmelden
login-email = E-Mail-Adresse
login-password = Passwort
login-submit = Anmelden
login-bad-credentials = E-Mail-Adresse oder Passwort ist falsch.
login-expired = Das Anmeldeformular ist abgelaufen. Bitte melden Sie sich erneut an.

## Sign-in (second step)

totp-title = Bestätigung in zwei Schritten
totp-code = Code aus Ihrer Authenticator-App
totp-lost-device = Gerät verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.
totp-submit = Bestätigen
totp-wrong-code = Dieser Code ist ungültig. Jeder Code gilt nur einmal: Wenn Sie ihn gerade verwendet haben, warten Sie auf den nächsten.
totp-expired = Das Formular ist abgelaufen. Bitte geben Sie den Code erneut ein.

## Consent

consent-title = Zugriff erlauben
consent-heading = Zugriff erlauben?
consent-lead-html = <strong>{ $client }</strong> möchte:
consent-use-api-html = <strong>{ $api }</strong> in Ihrem Namen nutzen
consent-signed-in-as = Angemeldet als { $email }.
consent-deny = Ablehnen
consent-allow = Erlauben
consent-client-host-html = Diese Anwendung wird von <strong>{ $host }</strong> bereitgestellt.
consent-self-described = Name und Logo sind Angaben der Anwendung selbst und wurden von diesem Server nicht geprüft. Erlauben Sie nur, wenn Sie der obigen Adresse vertrauen.
consent-self-registered = Diese Anwendung hat sich selbst bei diesem Server registriert. Ihr Name ist eine eigene Angabe und wurde nicht überprüft.
consent-redirect-host = Ihre Antwort wird an { $host } gesendet.
scope-openid = Wissen, wer Sie sind (eine gleichbleibende Kontokennung)
scope-profile = Ihren Namen sehen
scope-email = Ihre E-Mail-Adresse sehen
scope-offline-access = Verbunden bleiben: Zugriff behalten, auch wenn Sie die Anwendung nicht nutzen

## Account

account-title = Ihr Konto
account-signed-in-as-html = Angemeldet als <strong>{ $email }</strong>.
account-sessions = Wo Sie angemeldet sind
account-session = Angemeldet { $signed_in }, zuletzt aktiv { $last_seen }
account-this-browser = (dieser Browser)
account-end-session = Abmelden
account-apps = Anwendungen mit Ihrer Erlaubnis
account-no-apps = Noch keine Anwendungen.
activity-title = Letzte Aktivitäten
activity-none = Noch nichts.
activity-by-admin = durch eine Administratorin oder einen Administrator
activity-sign-in = Angemeldet
activity-sign-in-failed = Anmeldeversuch mit falschem Passwort
activity-sign-in-throttled = Anmeldeversuche nach zu vielen Fehlern pausiert
activity-second-step-failed = Falscher Code im zweiten Schritt
activity-passkey-added = Passkey hinzugefügt
activity-passkey-removed = Passkey entfernt
activity-totp-enabled = Bestätigung in zwei Schritten eingeschaltet
activity-totp-disabled = Bestätigung in zwei Schritten ausgeschaltet
activity-recovery-codes = Neue Wiederherstellungscodes erstellt
activity-recovery-code-used = Wiederherstellungscode verwendet
activity-password-changed = Passwort geändert
activity-password-by-link = Passwort über einen Link per E-Mail gesetzt
activity-password-by-admin = Passwort von der Verwaltung gesetzt
activity-email-changed = E-Mail-Adresse geändert
activity-email-verified = E-Mail-Adresse bestätigt
activity-identity-linked = Konto verknüpft
activity-identity-unlinked = Verknüpftes Konto entfernt
activity-session-ended = Abgemeldet
activity-app-allowed = Anwendung erlaubt
activity-app-removed = Zugriff einer Anwendung entfernt
activity-token-reuse = Ein kopiertes Anmelde-Token wurde erkannt und widerrufen
activity-second-factors-reset = Bestätigung in zwei Schritten zurückgesetzt
device-browser-on-system = { $browser } unter { $system }
account-remove-access = Zugriff entziehen
account-mfa-link = Bestätigung in zwei Schritten
account-sign-out = Von { $product } abmelden
ago-just-now = gerade eben
ago-minutes = { $count ->
    [one] vor einer Minute
   *[other] vor { $count } Minuten
}
ago-hours = { $count ->
    [one] vor einer Stunde
   *[other] vor { $count } Stunden
}
ago-days = { $count ->
    [one] vor einem Tag
   *[other] vor { $count } Tagen
}

## Two-step verification settings

mfa-title = Bestätigung in zwei Schritten
mfa-signed-in-as = Angemeldet als { $email }.
mfa-required-by-html = <strong>{ $client }</strong> verlangt die Bestätigung in zwei Schritten. Richten Sie sie ein, um fortzufahren.
mfa-not-configured = Die Bestätigung in zwei Schritten kann auf diesem Server noch nicht eingerichtet werden: Der Administrator hat ihren Hauptschlüssel nicht konfiguriert.
mfa-password-needed = Um die Bestätigung in zwei Schritten zu ändern, brauchen wir Ihr Passwort: Ihre Anmeldung liegt mehr als ein paar Minuten zurück.
mfa-enrol-lead = Schützen Sie Ihr Konto mit einem Code aus einer Authenticator-App, der nach Ihrem Passwort abgefragt wird.
mfa-step-scan = Scannen Sie diesen QR-Code mit einer Authenticator-App.
mfa-step-type-key = Oder geben Sie diesen Schlüssel in der App ein:
mfa-step-setup-link-html = (auf diesem Gerät können Sie auch den <a href="{ $uri }">Einrichtungslink</a> öffnen).
mfa-step-enter-code = Geben Sie den 6-stelligen Code ein, den die App anzeigt.
mfa-setup-uri = Einrichtungs-URI:
mfa-your-password = Ihr Passwort
mfa-code-from-the-app = Code aus der App
mfa-enable = Bestätigung in zwei Schritten einschalten
mfa-on-html = Die Bestätigung in zwei Schritten ist <strong>eingeschaltet</strong>: Bei der Anmeldung wird nach Ihrem Passwort ein Code aus Ihrer Authenticator-App abgefragt.
mfa-codes-left = { $count ->
    [0] Keine unbenutzten Wiederherstellungscodes mehr.
    [one] Noch ein unbenutzter Wiederherstellungscode.
   *[other] Unbenutzte Wiederherstellungscodes: { $count }.
}
mfa-new-codes-heading = Neue Wiederherstellungscodes
mfa-new-codes-explained = Erstellt zehn neue Codes; die alten werden ungültig.
mfa-code-from-your-app = Code aus Ihrer App
mfa-make-new-codes = Neue Wiederherstellungscodes erstellen
mfa-turn-off-heading = Ausschalten
mfa-code-or-recovery-code = Code aus Ihrer App oder ein Wiederherstellungscode
mfa-disable = Bestätigung in zwei Schritten ausschalten
mfa-codes-lead = Die Bestätigung in zwei Schritten ist eingeschaltet. Bewahren Sie diese Wiederherstellungscodes sicher auf: Mit jedem können Sie sich einmal anmelden, falls Sie Ihren Authenticator verlieren, und sie werden nur dieses eine Mal angezeigt.
mfa-continue-to = Weiter zu { $client }
mfa-done = Fertig
mfa-refused = Das Passwort oder der Code ist falsch.
mfa-password-required = Geben Sie Ihr Passwort ein, um diese Änderung vorzunehmen.
mfa-unavailable = Codes aus Ihrer Authenticator-App können gerade nicht geprüft werden; verwenden Sie einen Wiederherstellungscode.

## Sign-out

logout-title = Abmelden
logout-heading = Abmelden?
logout-lead-client-html = <strong>{ $client }</strong> möchte Sie von { $product } abmelden.
logout-lead = Möchten Sie sich von { $product } abmelden?
logout-submit = Abmelden
signed-out-title = Abgemeldet
signed-out-heading = Sie sind abgemeldet
signed-out-close = Sie können dieses Fenster schließen.

## Error pages

error-go-back = Wenn Sie einem Link aus einer Anwendung gefolgt sind, kehren Sie zu ihr zurück und versuchen Sie es erneut.
error-invalid-request-title = Ungültige Anmeldeanfrage
error-missing-client-id = Der Anfrage fehlt die client_id.
error-unknown-client = Die Anwendung, die Sie hierher geschickt hat, ist bei diesem Server nicht registriert.
error-client-metadata-title = Anwendung nicht zugelassen
error-client-metadata = Die Anwendung, die Sie hierher geschickt hat, nennt sich nach einer Adresse, deren Beschreibung nicht verwendet werden kann: { $reason }
error-missing-redirect-uri = Der Anfrage fehlt die redirect_uri.
error-unregistered-redirect-uri = Die redirect_uri der Anfrage ist für diese Anwendung nicht registriert.
error-duplicate-parameter = Der Parameter { $name } wurde mehrfach gesendet.
error-invalid-request-uri = Die request_uri ist unbekannt, abgelaufen oder wurde bereits verwendet (invalid_request_uri). Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
error-pushed-request-ended = Diese Anmeldeanfrage ist abgelaufen oder wurde bereits abgeschlossen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
error-invalid-logout-title = Ungültige Abmeldeanfrage
error-logout-foreign-hint = Der id_token_hint wurde nicht von diesem Server ausgestellt.
error-logout-unknown-client = Die Anwendung, die Sie hierher geschickt hat, ist nicht registriert.
error-logout-hint-mismatch = Die client_id passt nicht zum id_token_hint.
error-form-expired-title = Formular abgelaufen
error-form-expired-reload = Dieses Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut.
error-form-expired-sign-in-again = Dieses Formular ist abgelaufen. Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.
error-invalid-form-title = Ungültiges Formular
error-choose-allow-or-deny = Wählen Sie „Erlauben“ oder „Ablehnen“.
error-form-encoding = Formulare und Anfragen müssen als application/x-www-form-urlencoded gesendet werden.
error-totp-unavailable-title = Bestätigung in zwei Schritten nicht verfügbar
error-totp-unavailable = Codes aus Ihrer Authenticator-App können gerade nicht geprüft werden; ein Wiederherstellungscode funktioniert weiterhin. Wenn das Problem bestehen bleibt, wenden Sie sich an den Administrator.
error-unavailable-title = Vorübergehend nicht verfügbar
error-unavailable = Der Anmeldedienst kann seine Datenbank gerade nicht erreichen. Bitte versuchen Sie es in ein paar Sekunden erneut.
error-not-found-title = Seite nicht gefunden
error-not-found = Unter dieser Adresse gibt es keine Seite.

## The page footer's links ([branding] support_url, privacy_url, terms_url)
footer-help = Hilfe
footer-privacy = Datenschutz
footer-terms = Nutzungsbedingungen

## Passkeys: the sign-in pages and the account page (/account/passkeys)
passkey-or = oder
passkey-sign-in = Mit einem Passkey anmelden
passkey-use = Einen Passkey verwenden
passkey-browser-problem = Der Passkey hat in diesem Browser nicht funktioniert. Versuchen Sie es erneut oder melden Sie sich anders an.
passkey-needs-javascript = Passkeys benötigen JavaScript, das in diesem Browser ausgeschaltet ist.
passkeys-title = Passkeys
passkeys-signed-in-as = Angemeldet als { $email }.
passkeys-lead = Melden Sie sich mit Fingerabdruck, Gesicht oder Bildschirmsperre statt mit einem Passwort an. Ein Passkey zählt als beide Schritte zugleich.
passkeys-none = Sie haben noch keine Passkeys.
passkey-synced = Zwischen Ihren Geräten synchronisiert
passkey-device-bound = Auf einem Gerät oder Sicherheitsschlüssel
passkey-added-when = Hinzugefügt { $when }
passkey-used-when = Zuletzt verwendet { $when }
passkey-never-used = Noch nicht verwendet
passkey-name = Bezeichnung
passkey-name-optional = Bezeichnung (optional)
passkey-rename = Umbenennen
passkey-remove = Entfernen
passkeys-add-title = Passkey hinzufügen
passkeys-add = Passkey hinzufügen
passkeys-back = Zurück zu Ihrem Konto
account-passkeys-link = Passkeys
passkey-expired = Die Passkey-Anfrage ist abgelaufen. Bitte versuchen Sie es erneut.
passkey-unavailable = Passkeys sind auf diesem Server nicht verfügbar.
passkey-unavailable-ip = Passkeys sind ausgeschaltet: Dieser Server wird über eine IP-Adresse erreicht, Passkeys brauchen aber einen Domainnamen (für einen lokalen Test öffnen Sie ihn als http://localhost). Wenden Sie sich an die Administration.
passkey-unavailable-insecure = Passkeys sind ausgeschaltet: Sie benötigen eine sichere (https) Verbindung zu diesem Server. Wenden Sie sich an die Administration.
passkey-password-required = Geben Sie Ihr Passwort ein, um Ihre Passkeys zu ändern: Ihre Anmeldung liegt mehr als ein paar Minuten zurück.
passkey-wrong-password = Das Passwort ist falsch.
passkey-duplicate = Dieser Passkey ist bereits registriert.
passkey-rejected = Der Passkey wurde nicht akzeptiert. Versuchen Sie es erneut oder melden Sie sich anders an.
factors-second-factor-required = Um Ihre Passkeys oder die Bestätigung in zwei Schritten zu ändern, brauchen wir Ihren zweiten Faktor: Geben Sie einen Code aus Ihrer Authenticator-App ein, oder melden Sie sich ab und mit einem Passkey erneut an.
passkey-name-invalid = Die Bezeichnung eines Passkeys muss 1 bis 64 Zeichen lang sein.
passkey-added = Passkey hinzugefügt.
passkey-renamed = Passkey umbenannt.
passkey-removed = Passkey entfernt.

## Upstream identity providers ("Continue with GitHub") and linked accounts
upstream-continue = Weiter mit { $provider }
upstream-list-label = Andere Anmeldewege
upstream-link-first-html = Es gibt bereits ein Konto mit <strong>{ $email }</strong>. Melden Sie sich mit Ihrem Passwort oder Passkey an, um { $provider } damit zu verknüpfen.
upstream-expired-title = Anmeldung abgelaufen
upstream-expired = Diese Anmeldung ist abgelaufen oder wurde bereits verwendet. Gehen Sie zurück zur App und melden Sie sich erneut an.
upstream-denied = Die Anmeldung mit { $provider } wurde abgebrochen. Sie können sich stattdessen mit Ihrem Passwort anmelden.
upstream-unavailable = { $provider } ist gerade nicht erreichbar. Versuchen Sie es später erneut oder melden Sie sich mit Ihrem Passwort an.
upstream-failed = Die Anmeldung mit { $provider } hat nicht funktioniert. Versuchen Sie es erneut oder melden Sie sich mit Ihrem Passwort an.
upstream-no-account = Mit diesem { $provider }-Konto ist hier kein Konto verknüpft. Melden Sie sich mit Ihrem Passwort an und verknüpfen Sie { $provider } dann auf Ihrer Kontoseite.
upstream-domain-not-allowed = Die E-Mail-Adresse dieses { $provider }-Kontos wird von diesem Dienst nicht akzeptiert.
upstream-no-verified-email = { $provider } hat für dieses Konto keine bestätigte E-Mail-Adresse übermittelt. Bestätigen Sie Ihre E-Mail-Adresse bei { $provider } und versuchen Sie es erneut.
upstream-account-disabled = Dieses Konto ist deaktiviert.
upstream-linked-elsewhere = Dieses { $provider }-Konto ist bereits mit einem anderen Konto verknüpft.
account-identities-link = Verknüpfte Konten
identities-title = Verknüpfte Konten
identities-lead = Melden Sie sich statt mit Ihrem Passwort mit einem Konto an, das Sie anderswo haben.
identities-none = Es sind noch keine Konten verknüpft.
identities-linked-when = Verknüpft { $when }
identities-unlink = Verknüpfung mit { $provider } lösen
identities-link-title = Konto verknüpfen
identities-link = { $provider } verknüpfen
identities-linked = Das Konto ist verknüpft.
identities-unlinked = Die Verknüpfung ist gelöst.
identities-linked-elsewhere = Dieses Konto ist hier bereits mit einem anderen Konto verknüpft.
identities-not-allowed = Die E-Mail-Adresse dieses Kontos wird von diesem Dienst nicht akzeptiert.
identities-signed-out = Sie wurden abgemeldet, bevor die Verknüpfung hergestellt war. Melden Sie sich an und versuchen Sie es erneut.
identities-denied = Die Verknüpfung wurde abgebrochen.
identities-unavailable = Der Anbieter ist gerade nicht erreichbar. Versuchen Sie es später erneut.
identities-failed = Die Verknüpfung hat nicht funktioniert. Versuchen Sie es erneut.
identities-sign-in-again = Melden Sie sich zu Ihrer Sicherheit erneut an, bevor Sie ändern, wie Sie sich anmelden.
identities-sign-in-again-link = Erneut anmelden
identities-last-way = Dies ist Ihr einziger Anmeldeweg. Fügen Sie einen Passkey hinzu, bevor Sie die Verknüpfung lösen.
identities-not-found = Dort gibt es nichts zu verknüpfen oder zu lösen.

## Die Sicherheit des Kontos: Passwort, Löschen, Daten herunterladen
account-password-link = Passwort ändern
account-export-link = Ihre Daten herunterladen
account-delete-link = Konto löschen
password-title = Passwort
password-lead = Geben Sie Ihr aktuelles Passwort ein, dann zweimal das neue.
password-first-lead = Ihr Konto hat noch kein Passwort: Sie melden sich über einen anderen Anbieter an. Legen Sie eines fest, um sich auch hier direkt anzumelden.
password-first-needs-sign-in = Melden Sie sich zu Ihrer Sicherheit erneut an, bevor Sie ein Passwort festlegen.
password-rules-hint = Verwenden Sie mindestens { $count } Zeichen. Einige nicht zusammenhängende Wörter ergeben ein starkes Passwort. Verbreitete Passwörter, Ihre E-Mail-Adresse und der Name dieses Dienstes werden abgelehnt.
password-current = Aktuelles Passwort
password-new = Neues Passwort
password-new-again = Neues Passwort wiederholen
password-change = Passwort ändern
password-set = Passwort festlegen
password-other-sessions-end = Damit werden Sie auf allen anderen Geräten abgemeldet.
password-changed = Passwort geändert. Sie wurden auf allen anderen Geräten abgemeldet.
password-not-the-same = Die beiden neuen Passwörter stimmen nicht überein.
password-wrong-current = Das aktuelle Passwort ist falsch.
password-rule-too-short = Das neue Passwort braucht mindestens { $count } Zeichen.
password-rule-too-long = Das neue Passwort ist zu lang: höchstens { $count } Byte.
password-rule-too-common = Das neue Passwort ist zu verbreitet oder zu leicht zu erraten. Versuchen Sie ein längeres, etwa einige nicht zusammenhängende Wörter.
password-rule-like-your-account = Das neue Passwort darf weder Ihre E-Mail-Adresse noch den Namen dieses Dienstes enthalten.
delete-title = Konto löschen
delete-lead = Damit wird Ihr Konto bei { $product } endgültig gelöscht. Das lässt sich nicht rückgängig machen.
delete-what-goes = Sie werden überall abgemeldet, die Apps, die Sie nutzen, werden benachrichtigt, und Ihre Sitzungen, App-Berechtigungen, die Bestätigung in zwei Schritten, Passkeys und verknüpften Konten werden entfernt.
delete-export-first = Zuerst Ihre Daten herunterladen
delete-needs-sign-in = Melden Sie sich zu Ihrer Sicherheit erneut an, bevor Sie Ihr Konto löschen.
delete-confirm = Mir ist klar, dass mein Konto endgültig gelöscht wird.
delete-submit = Mein Konto löschen
delete-not-confirmed = Setzen Sie das Häkchen, um zu bestätigen, dass Sie Ihr Konto löschen möchten.
delete-wrong-password = Das Passwort ist falsch.
deleted-title = Ihr Konto wurde gelöscht
deleted-lead = Ihr Konto und alles, was dazu gespeichert war, sind gelöscht.
deleted-apps-told = Die Apps, bei denen Sie angemeldet waren, wurden über die Abmeldung benachrichtigt. Sie können dieses Fenster schließen.
## Emailed links: forgot password, reset, verification, sign-up, invitation, email change
login-forgot = Passwort vergessen?
login-sign-up = Konto erstellen
link-expired-title = Link abgelaufen
link-expired = Dieser Link ist abgelaufen, wurde bereits verwendet oder durch einen neueren ersetzt.
link-expired-sign-in = Zur Anmeldung
notice-to-account = Zu Ihrem Konto
forgot-title = Passwort vergessen?
forgot-lead = Geben Sie Ihre E-Mail-Adresse ein, und wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
forgot-submit = Link senden
forgot-back = Zurück zur Anmeldung
forgot-sent-title = Sehen Sie in Ihr Postfach
forgot-sent = Wenn ein Konto diese Adresse hat, haben wir ihr einen Link gesendet, mit dem Sie ein neues Passwort wählen. Der Link gilt 30 Minuten.
reset-title = Neues Passwort wählen
reset-submit = Neues Passwort speichern
invitation-title = Passwort festlegen
invitation-submit = Passwort festlegen
new-password-for-html = Für das Konto <strong>{ $email }</strong>.
new-password-label = Neues Passwort
new-password-repeat = Neues Passwort wiederholen
new-password-rules = Mindestens { $min } Zeichen. Am besten ein langer Satz; häufige Passwörter werden abgelehnt.
new-password-mismatch = Die beiden Passwörter stimmen nicht überein.
verify-title = E-Mail-Adresse bestätigen
verify-lead-html = Bestätigen Sie, dass <strong>{ $email }</strong> Ihre Adresse ist.
verify-submit = Bestätigen
verify-done-title = Adresse bestätigt
verify-done = Danke: Ihre E-Mail-Adresse ist bestätigt.
sign-up-title = Konto erstellen
sign-up-name = Ihr Name (optional)
sign-up-submit = Konto erstellen
sign-up-have-account = Sie haben schon ein Konto? Anmelden
sign-up-sent-title = Sehen Sie in Ihr Postfach
sign-up-sent = Wir haben einen Link an Ihre Adresse gesendet. Öffnen Sie ihn, um Ihr Konto fertig zu erstellen; er gilt 24 Stunden.
sign-up-invalid-email = Geben Sie eine gültige E-Mail-Adresse ein.
sign-up-domain-not-allowed = Für Adressen dieser Domain ist die Registrierung nicht geöffnet.
sign-up-confirm-title = Konto fertig erstellen
sign-up-confirm-lead-html = Bestätigen Sie <strong>{ $email }</strong>, um Ihr Konto zu erstellen.
sign-up-confirm-submit = Mein Konto erstellen
sign-up-done-title = Ihr Konto ist bereit
sign-up-done = Ihre E-Mail-Adresse ist bestätigt und Ihr Konto ist bereit. Melden Sie sich mit Ihrem Passwort an.
sign-up-done-sign-in = Anmelden
sign-up-exists-title = Sie haben bereits ein Konto
sign-up-exists = Es gibt bereits ein Konto mit dieser Adresse. Melden Sie sich an, oder setzen Sie Ihr Passwort zurück, wenn Sie es vergessen haben.
email-change-confirm-title = Neue E-Mail-Adresse bestätigen
email-change-confirm-lead-html = Künftig <strong>{ $email }</strong> als Adresse Ihres Kontos verwenden.
email-change-confirm-submit = Neue Adresse bestätigen
email-change-done-title = E-Mail-Adresse geändert
email-change-done = Die Adresse Ihres Kontos ist geändert. Wir haben Ihre alte Adresse informiert, falls Sie es nicht waren.
email-change-taken-title = Adresse nicht verfügbar
email-change-taken = Ein anderes Konto hat diese Adresse inzwischen; sie wurde nicht geändert.
email-change-undo-title = Alte Adresse wiederherstellen
email-change-undo-lead-html = <strong>{ $email }</strong> wieder zur Adresse Ihres Kontos machen und überall abmelden.
email-change-undo-submit = Wiederherstellen
email-change-undone-title = Ihre alte Adresse ist zurück
email-change-undone = Ihr Konto hat wieder seine alte Adresse und ist überall abgemeldet. Wenn Sie die Adresse nicht geändert haben, wählen Sie jetzt ein neues Passwort.
email-change-undone-reset = Neues Passwort wählen
account-email-link = E-Mail-Adresse
account-email-title = E-Mail-Adresse
account-email-current-html = Ihre Adresse ist <strong>{ $email }</strong>.
account-email-verified = Sie ist bestätigt.
account-email-unverified = Sie ist noch nicht bestätigt.
account-email-send-verification = Bestätigungslink senden
account-email-change = Adresse ändern
account-email-new = Neue E-Mail-Adresse
account-email-change-submit = Link an die neue Adresse senden
account-email-change-how = Wir senden einen Link an die neue Adresse; Ihre Adresse ändert sich, wenn Sie ihn öffnen. Ihre alte Adresse wird informiert und kann die Änderung 72 Stunden lang rückgängig machen.
account-email-verification-sent = Wir haben einen Bestätigungslink an Ihre Adresse gesendet.
account-email-change-sent = Wir haben einen Link an die neue Adresse gesendet. Öffnen Sie ihn, um die Änderung abzuschließen.
account-email-already-verified = Ihre Adresse ist bereits bestätigt.
account-email-too-many = Wir haben in der letzten Stunde mehrere Links an diese Adresse gesendet. Versuchen Sie es später erneut.
account-email-sign-in-again = Melden Sie sich zu Ihrer Sicherheit erneut an, bevor Sie Ihre Adresse ändern.
account-email-same = Das ist bereits Ihre Adresse.

## Mail
mail-greeting = Hallo,
mail-link-fallback = Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:
mail-footer = { $product } hat diese Nachricht automatisch gesendet. Antworten darauf werden nicht gelesen.
mail-verify-email-subject = Bestätigen Sie Ihre E-Mail-Adresse für { $product }
mail-verify-email-why = Jemand, hoffentlich Sie, möchte diese E-Mail-Adresse für ein Konto bei { $product } verwenden. Bitte bestätigen Sie, dass sie Ihnen gehört.
mail-verify-email-action = Meine E-Mail-Adresse bestätigen
mail-verify-email-expiry = Der Link ist 24 Stunden gültig.
mail-verify-email-not-you = Falls Sie das nicht waren, können Sie diese Nachricht ignorieren: Ohne den Link ändert sich nichts.
mail-reset-password-subject = Wählen Sie ein neues Passwort für { $product }
mail-reset-password-why = Jemand, hoffentlich Sie, möchte das Passwort Ihres { $product }-Kontos zurücksetzen.
mail-reset-password-action = Neues Passwort wählen
mail-reset-password-expiry = Der Link funktioniert einmal und ist 30 Minuten gültig.
mail-reset-password-not-you = Falls Sie das nicht waren, können Sie diese Nachricht ignorieren: Ihr Passwort bleibt, wie es ist.
mail-password-changed-subject = Ihr Passwort für { $product } wurde geändert
mail-password-changed-why = Das Passwort Ihres { $product }-Kontos wurde soeben geändert, und alle anderen Sitzungen wurden abgemeldet.
mail-password-changed-not-you = Falls Sie das nicht waren, kennt womöglich jemand anderes Ihr Passwort: Wählen Sie jetzt ein neues.
mail-password-changed-action = Mein Passwort zurücksetzen
mail-sign-up-exists-subject = Jemand wollte sich mit Ihrer Adresse bei { $product } registrieren
mail-sign-up-exists-why = Jemand wollte mit dieser E-Mail-Adresse ein Konto bei { $product } anlegen, doch zu ihr gibt es bereits eines.
mail-sign-up-exists-sign-in-hint = Falls Sie das waren, melden Sie sich stattdessen mit Ihrem bestehenden Konto an:
mail-sign-up-exists-sign-in = Anmelden
mail-sign-up-exists-reset-hint = Falls Sie Ihr Passwort vergessen haben, wählen Sie ein neues:
mail-sign-up-exists-reset = Mein Passwort zurücksetzen
mail-sign-up-exists-not-you = Falls Sie das nicht waren, können Sie diese Nachricht ignorieren: Ohne Ihr Passwort kann niemand Ihr Konto verwenden.
mail-invite-subject = Sie sind zu { $product } eingeladen
mail-invite-why = Für Sie wurde ein Konto bei { $product } angelegt. Wählen Sie Ihr Passwort, um es zu verwenden.
mail-invite-action = Mein Passwort wählen
mail-invite-expiry = Der Link ist 7 Tage gültig.
mail-invite-not-you = Falls Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.
mail-email-change-confirm-subject = Bestätigen Sie Ihre neue E-Mail-Adresse für { $product }
mail-email-change-confirm-why = Jemand, hoffentlich Sie, möchte die E-Mail-Adresse eines { $product }-Kontos in diese ändern. Bitte bestätigen Sie, dass sie Ihnen gehört.
mail-email-change-confirm-action = Meine neue Adresse bestätigen
mail-email-change-confirm-expiry = Der Link ist 24 Stunden gültig.
mail-email-change-confirm-not-you = Falls Sie das nicht waren, können Sie diese Nachricht ignorieren: Ohne den Link ändert sich nichts.
mail-email-change-notice-subject = Die E-Mail-Adresse Ihres { $product }-Kontos wurde geändert
mail-email-change-notice-why = Die E-Mail-Adresse Ihres { $product }-Kontos wurde in { $new_email } geändert. Nachrichten zum Konto gehen nun dorthin.
mail-email-change-notice-not-you = Falls Sie das nicht waren, stellen Sie Ihre Adresse mit diesem Link wieder her. Er ist 72 Stunden gültig.
mail-email-change-notice-action = Änderung rückgängig machen
mail-account-deleted-subject = Ihr { $product }-Konto wurde gelöscht
mail-account-deleted-why = Ihr { $product }-Konto wurde gelöscht, mit allem, was { $product } über Sie gespeichert hatte. Die Apps, bei denen Sie angemeldet waren, wurden informiert.
mail-account-deleted-not-you = Falls Sie das nicht waren, wenden Sie sich so bald wie möglich an die Betreiber von { $product }.

## Gerät anmelden (RFC 8628)

device-title = Gerät verbinden
device-heading = Gerät verbinden
device-lead = Geben Sie den Code ein, den Ihr Gerät anzeigt.
device-code-label = Code von Ihrem Gerät
device-code-hint = Acht Buchstaben, wie auf dem Gerät angezeigt, zum Beispiel BCDF-GHJK.
device-continue = Weiter
device-code-wrong = Dieser Code ist falsch, abgelaufen oder wurde schon verwendet. Prüfen Sie das Gerät und versuchen Sie es erneut.
device-form-expired = Das Formular ist abgelaufen. Bitte geben Sie den Code erneut ein.
device-consent-title = Gerät zulassen
device-consent-heading = Dieses Gerät zulassen?
device-consent-lead-html = Ein Gerät mit <strong>{ $client }</strong> möchte:
device-consent-warning = Fahren Sie nur fort, wenn Sie dies selbst auf einem eigenen Gerät gestartet haben. Wenn Ihnen jemand diesen Code geschickt oder Sie gebeten hat, ihn einzugeben, wählen Sie Ablehnen.
device-done-title = Gerät verbunden
device-approved = { $client } ist verbunden. Sie können jetzt zu Ihrem Gerät zurückkehren.
device-denied-title = Gerät nicht verbunden
device-denied = { $client } wurde nicht verbunden. Sie können diese Seite schließen.
device-ended-title = Code nicht mehr gültig
device-ended = Dieser Code ist abgelaufen, wurde schon beantwortet oder anderswo eingegeben. Beginnen Sie auf dem Gerät von vorn.
device-second-factor-required = { $client } verlangt die Bestätigung in zwei Schritten, die Ihr Konto nicht hat. Richten Sie sie auf Ihrer Kontoseite ein und beginnen Sie dann auf dem Gerät von vorn.
