# Tessera's page texts, French ("vous"). Same ids as en.ftl; the tests check it.
# Messages ending in "-html" hold markup; their arguments are HTML-escaped before placing.
# A no-break space (U+00A0) comes before ":", "?" and "!", as French typography wants.

## Shared by the sign-in pages

continue-to-client-html = pour continuer vers <strong>{ $client }</strong>
continue-to-account-html = pour accéder à <strong>votre compte</strong>
form-throttled = Trop de tentatives. Réessayez dans { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.

## Sign-in (password)

login-title = Connexion
login-email = Adresse e-mail
login-password = Mot de passe
login-submit = Se connecter
login-bad-credentials = L’adresse e-mail ou le mot de passe est incorrect.
login-expired = Le formulaire de connexion a expiré. Veuillez vous reconnecter.

## Sign-in (second step)

totp-title = Validation en deux étapes
totp-code = Code de votre application d’authentification
totp-lost-device = Appareil perdu ? Saisissez plutôt l’un de vos codes de récupération.
totp-submit = Valider
totp-wrong-code = Ce code n’est pas valide. Un code ne sert qu’une fois : si vous venez d’en utiliser un, attendez le suivant.
totp-expired = Le formulaire a expiré. Veuillez saisir le code à nouveau.

## Consent

consent-title = Autoriser l’accès
consent-heading = Autoriser l’accès ?
consent-lead-html = <strong>{ $client }</strong> souhaite :
consent-use-api-html = Utiliser <strong>{ $api }</strong> en votre nom
consent-signed-in-as = Connecté en tant que { $email }.
consent-deny = Refuser
consent-allow = Autoriser
consent-client-host-html = Cette application est servie depuis <strong>{ $host }</strong>.
consent-self-described = Son nom et son logo sont ses propres déclarations, non vérifiées par ce serveur. N’autorisez que si vous faites confiance à l’adresse ci-dessus.
consent-self-registered = Cette application s’est enregistrée elle-même auprès de ce serveur. Son nom est sa propre déclaration et n’a pas été vérifié.
consent-redirect-host = Votre réponse est envoyée à { $host }.
scope-openid = Savoir qui vous êtes (un identifiant de compte stable)
scope-profile = Voir votre nom
scope-email = Voir votre adresse e-mail
scope-offline-access = Rester connecté : garder l’accès lorsque vous ne l’utilisez pas

## Account

account-title = Votre compte
account-signed-in-as-html = Connecté en tant que <strong>{ $email }</strong>.
account-sessions = Où vous êtes connecté
account-session = Connexion { $signed_in }, dernière activité { $last_seen }
account-this-browser = (ce navigateur)
account-end-session = Se déconnecter
account-apps = Applications autorisées
account-no-apps = Aucune application pour l’instant.
activity-title = Activité récente
activity-none = Rien pour l’instant.
activity-by-admin = par un administrateur
activity-sign-in = Connexion
activity-sign-in-failed = Tentative de connexion avec un mauvais mot de passe
activity-sign-in-throttled = Tentatives de connexion suspendues après trop d’échecs
activity-second-step-failed = Mauvais code à la deuxième étape
activity-passkey-added = Clé d’accès ajoutée
activity-passkey-removed = Clé d’accès supprimée
activity-totp-enabled = Validation en deux étapes activée
activity-totp-disabled = Validation en deux étapes désactivée
activity-recovery-codes = Nouveaux codes de récupération créés
activity-recovery-code-used = Code de récupération utilisé
activity-password-changed = Mot de passe modifié
activity-password-by-link = Mot de passe défini par un lien reçu par e-mail
activity-password-by-admin = Mot de passe défini par un administrateur
activity-email-changed = Adresse e-mail modifiée
activity-email-verified = Adresse e-mail confirmée
activity-identity-linked = Compte associé
activity-identity-unlinked = Compte associé supprimé
activity-session-ended = Déconnexion
activity-app-allowed = Application autorisée
activity-app-removed = Accès d’une application retiré
activity-token-reuse = Un jeton de connexion copié a été détecté et révoqué
activity-second-factors-reset = Validation en deux étapes réinitialisée
device-browser-on-system = { $browser } sous { $system }
account-remove-access = Retirer l’accès
account-mfa-link = Validation en deux étapes
account-sign-out = Se déconnecter de { $product }
ago-just-now = à l’instant
ago-minutes = { $count ->
    [one] il y a { $count } minute
   *[other] il y a { $count } minutes
}
ago-hours = { $count ->
    [one] il y a { $count } heure
   *[other] il y a { $count } heures
}
ago-days = { $count ->
    [one] il y a { $count } jour
   *[other] il y a { $count } jours
}

## Two-step verification settings

mfa-title = Validation en deux étapes
mfa-signed-in-as = Connecté en tant que { $email }.
mfa-required-by-html = <strong>{ $client }</strong> exige la validation en deux étapes. Activez-la pour continuer.
mfa-not-configured = La validation en deux étapes ne peut pas encore être activée sur ce serveur : l’administrateur n’a pas configuré sa clé principale.
mfa-password-needed = Pour modifier la validation en deux étapes, votre mot de passe est nécessaire : vous vous êtes connecté il y a plus de quelques minutes.
mfa-enrol-lead = Protégez votre compte par un code d’une application d’authentification, demandé après votre mot de passe.
mfa-step-scan = Scannez ce code QR avec une application d’authentification.
mfa-step-type-key = Ou saisissez cette clé dans l’application :
mfa-step-setup-link-html = (sur cet appareil, vous pouvez aussi ouvrir le <a href="{ $uri }">lien de configuration</a>).
mfa-step-enter-code = Saisissez le code à 6 chiffres affiché par l’application.
mfa-setup-uri = URI de configuration :
mfa-your-password = Votre mot de passe
mfa-code-from-the-app = Code de l’application
mfa-enable = Activer la validation en deux étapes
mfa-on-html = La validation en deux étapes est <strong>activée</strong> : la connexion demande un code de votre application d’authentification après votre mot de passe.
mfa-codes-left = { $count ->
    [0] Plus aucun code de récupération inutilisé.
    [one] Il reste un code de récupération inutilisé.
   *[other] Codes de récupération inutilisés : { $count }.
}
mfa-new-codes-heading = Nouveaux codes de récupération
mfa-new-codes-explained = Crée dix nouveaux codes ; les anciens cessent de fonctionner.
mfa-code-from-your-app = Code de votre application
mfa-make-new-codes = Créer de nouveaux codes de récupération
mfa-turn-off-heading = Désactiver
mfa-code-or-recovery-code = Code de votre application, ou un code de récupération
mfa-disable = Désactiver la validation en deux étapes
mfa-codes-lead = La validation en deux étapes est activée. Conservez ces codes de récupération en lieu sûr : chacun vous connecte une fois si vous perdez votre application d’authentification, et ils ne sont affichés qu’une seule fois.
mfa-continue-to = Continuer vers { $client }
mfa-done = Terminé
mfa-refused = Le mot de passe ou le code est incorrect.
mfa-password-required = Saisissez votre mot de passe pour effectuer cette modification.
mfa-unavailable = Les codes de votre application d’authentification ne peuvent pas être vérifiés pour le moment ; utilisez un code de récupération.

## Sign-out

logout-title = Déconnexion
logout-heading = Se déconnecter ?
logout-lead-client-html = <strong>{ $client }</strong> demande à vous déconnecter de { $product }.
logout-lead = Voulez-vous vous déconnecter de { $product } ?
logout-submit = Se déconnecter
signed-out-title = Déconnecté
signed-out-heading = Vous êtes déconnecté
signed-out-close = Vous pouvez fermer cette fenêtre.

## Error pages

error-go-back = Si vous avez suivi un lien depuis une application, revenez-y et réessayez.
error-invalid-request-title = Demande de connexion invalide
error-missing-client-id = La demande ne contient pas de client_id.
error-unknown-client = L’application qui vous a envoyé ici n’est pas enregistrée auprès de ce serveur.
error-client-metadata-title = Application non acceptée
error-client-metadata = L’application qui vous a envoyé ici se désigne par une adresse dont la description est inutilisable : { $reason }
error-missing-redirect-uri = La demande ne contient pas de redirect_uri.
error-unregistered-redirect-uri = La redirect_uri de la demande n’est pas enregistrée pour cette application.
error-duplicate-parameter = Le paramètre { $name } a été envoyé plusieurs fois.
error-invalid-request-uri = La request_uri est inconnue, a expiré ou a déjà été utilisée (invalid_request_uri). Revenez à l’application et recommencez.
error-pushed-request-ended = Cette demande de connexion a expiré ou a déjà été traitée. Revenez à l’application et recommencez.
error-invalid-logout-title = Demande de déconnexion invalide
error-logout-foreign-hint = Le jeton id_token_hint n’a pas été émis par ce serveur.
error-logout-unknown-client = L’application qui vous a envoyé ici n’est pas enregistrée.
error-logout-hint-mismatch = Le client_id ne correspond pas au jeton id_token_hint.
error-form-expired-title = Formulaire expiré
error-form-expired-reload = Ce formulaire a expiré. Rechargez la page et réessayez.
error-form-expired-sign-in-again = Ce formulaire a expiré. Revenez à l’application et reconnectez-vous.
error-invalid-form-title = Formulaire invalide
error-choose-allow-or-deny = Choisissez Autoriser ou Refuser.
error-form-encoding = Les formulaires et les requêtes doivent être envoyés en application/x-www-form-urlencoded.
error-totp-unavailable-title = Validation en deux étapes indisponible
error-totp-unavailable = Les codes de votre application d’authentification ne peuvent pas être vérifiés pour le moment ; un code de récupération fonctionne toujours. Si le problème persiste, contactez l’administrateur.
error-unavailable-title = Temporairement indisponible
error-unavailable = Le service de connexion ne peut pas joindre sa base de données pour le moment. Veuillez réessayer dans quelques secondes.
error-not-found-title = Page introuvable
error-not-found = Il n’y a pas de page à cette adresse.

## The page footer's links ([branding] support_url, privacy_url, terms_url)
footer-help = Aide
footer-privacy = Confidentialité
footer-terms = Conditions d’utilisation

## Passkeys: the sign-in pages and the account page (/account/passkeys)
passkey-or = ou
passkey-sign-in = Se connecter avec une clé d’accès
passkey-use = Utiliser une clé d’accès
passkey-browser-problem = La clé d’accès n’a pas fonctionné dans ce navigateur. Réessayez ou connectez-vous autrement.
passkey-needs-javascript = Les clés d’accès nécessitent JavaScript, qui est désactivé dans ce navigateur.
passkeys-title = Clés d’accès
passkeys-signed-in-as = Connecté en tant que { $email }.
passkeys-lead = Connectez-vous avec votre empreinte, votre visage ou le verrouillage de l’écran au lieu d’un mot de passe. Une clé d’accès vaut les deux étapes à la fois.
passkeys-none = Vous n’avez pas encore de clé d’accès.
passkey-synced = Synchronisée entre vos appareils
passkey-device-bound = Sur un seul appareil ou une clé de sécurité
passkey-added-when = Ajoutée { $when }
passkey-used-when = Dernière utilisation { $when }
passkey-never-used = Pas encore utilisée
passkey-name = Nom
passkey-name-optional = Nom (facultatif)
passkey-rename = Renommer
passkey-remove = Supprimer
passkeys-add-title = Ajouter une clé d’accès
passkeys-add = Ajouter une clé d’accès
passkeys-back = Retour à votre compte
account-passkeys-link = Clés d’accès
passkey-expired = La demande de clé d’accès a expiré. Veuillez réessayer.
passkey-unavailable = Les clés d’accès ne sont pas disponibles sur ce serveur.
passkey-unavailable-ip = Les clés d’accès sont désactivées : ce serveur est joint par une adresse IP, et les clés d’accès exigent un nom de domaine (pour un essai local, ouvrez-le via http://localhost). Adressez-vous à l’administrateur.
passkey-unavailable-insecure = Les clés d’accès sont désactivées : elles exigent une connexion sécurisée (https) à ce serveur. Adressez-vous à l’administrateur.
passkey-password-required = Saisissez votre mot de passe pour modifier vos clés d’accès : vous vous êtes connecté il y a plus de quelques minutes.
passkey-wrong-password = Le mot de passe est incorrect.
passkey-duplicate = Cette clé d’accès est déjà enregistrée.
passkey-rejected = La clé d’accès n’a pas été acceptée. Réessayez ou connectez-vous autrement.
factors-second-factor-required = Pour modifier vos clés d’accès ou la validation en deux étapes, votre second facteur est nécessaire : saisissez un code de votre application d’authentification, ou déconnectez-vous puis reconnectez-vous avec une clé d’accès.
passkey-name-invalid = Le nom d’une clé d’accès doit comporter de 1 à 64 caractères.
passkey-added = Clé d’accès ajoutée.
passkey-renamed = Clé d’accès renommée.
passkey-removed = Clé d’accès supprimée.

## Upstream identity providers ("Continue with GitHub") and linked accounts
upstream-continue = Continuer avec { $provider }
upstream-list-label = Autres façons de se connecter
upstream-link-first-html = Un compte avec <strong>{ $email }</strong> existe déjà. Connectez-vous avec votre mot de passe ou votre clé d’accès pour y associer { $provider }.
upstream-expired-title = Connexion expirée
upstream-expired = Cette connexion a expiré ou a déjà été utilisée. Revenez à l’application et connectez-vous de nouveau.
upstream-denied = La connexion avec { $provider } a été annulée. Vous pouvez vous connecter avec votre mot de passe.
upstream-unavailable = { $provider } est injoignable pour le moment. Réessayez plus tard ou connectez-vous avec votre mot de passe.
upstream-failed = La connexion avec { $provider } n’a pas abouti. Réessayez ou connectez-vous avec votre mot de passe.
upstream-no-account = Aucun compte n’est associé à ce compte { $provider } ici. Connectez-vous avec votre mot de passe, puis associez { $provider } sur la page de votre compte.
upstream-domain-not-allowed = L’adresse e-mail de ce compte { $provider } n’est pas acceptée par ce service.
upstream-no-verified-email = { $provider } n’a pas confirmé d’adresse e-mail pour ce compte. Confirmez votre adresse e-mail chez { $provider } et réessayez.
upstream-account-disabled = Ce compte est désactivé.
upstream-linked-elsewhere = Ce compte { $provider } est déjà associé à un autre compte.
account-identities-link = Comptes associés
identities-title = Comptes associés
identities-lead = Connectez-vous avec un compte que vous avez ailleurs au lieu de votre mot de passe.
identities-none = Aucun compte n’est encore associé.
identities-linked-when = Associé { $when }
identities-unlink = Dissocier { $provider }
identities-link-title = Associer un compte
identities-link = Associer { $provider }
identities-linked = Le compte est associé.
identities-unlinked = Le compte est dissocié.
identities-linked-elsewhere = Ce compte est déjà associé à un autre compte ici.
identities-not-allowed = L’adresse e-mail de ce compte n’est pas acceptée par ce service.
identities-signed-out = Vous avez été déconnecté avant la fin de l’association. Connectez-vous et réessayez.
identities-denied = L’association a été annulée.
identities-unavailable = Le fournisseur est injoignable pour le moment. Réessayez plus tard.
identities-failed = L’association n’a pas abouti. Réessayez.
identities-sign-in-again = Pour votre sécurité, reconnectez-vous avant de modifier votre façon de vous connecter.
identities-sign-in-again-link = Se reconnecter
identities-last-way = C’est votre seule façon de vous connecter. Ajoutez une clé d’accès avant de la dissocier.
identities-not-found = Il n’y a rien à associer ou dissocier ici.

## La sécurité du compte : mot de passe, suppression, téléchargement des données
account-password-link = Changer votre mot de passe
account-export-link = Télécharger vos données
account-delete-link = Supprimer votre compte
password-title = Mot de passe
password-lead = Saisissez votre mot de passe actuel, puis deux fois le nouveau.
password-first-lead = Votre compte n’a pas encore de mot de passe : vous vous connectez par un autre fournisseur. Définissez-en un pour vous connecter aussi directement ici.
password-first-needs-sign-in = Pour votre sécurité, reconnectez-vous avant de définir un mot de passe.
password-rules-hint = Utilisez au moins { $count } caractères. Quelques mots sans rapport entre eux font un mot de passe solide. Les mots de passe courants, votre adresse e-mail et le nom de ce service sont refusés.
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-new-again = Nouveau mot de passe, à nouveau
password-change = Changer le mot de passe
password-set = Définir le mot de passe
password-other-sessions-end = Vous serez déconnecté de tous vos autres appareils.
password-changed = Mot de passe changé. Vous avez été déconnecté de tous vos autres appareils.
password-not-the-same = Les deux nouveaux mots de passe ne sont pas identiques.
password-wrong-current = Le mot de passe actuel est incorrect.
password-rule-too-short = Le nouveau mot de passe doit compter au moins { $count } caractères.
password-rule-too-long = Le nouveau mot de passe est trop long : { $count } octets au plus.
password-rule-too-common = Le nouveau mot de passe est trop courant ou trop facile à deviner. Essayez-en un plus long, par exemple quelques mots sans rapport entre eux.
password-rule-like-your-account = Le nouveau mot de passe ne doit contenir ni votre adresse e-mail ni le nom de ce service.
delete-title = Supprimer votre compte
delete-lead = Votre compte chez { $product } sera supprimé définitivement. C’est irréversible.
delete-what-goes = Vous serez déconnecté partout, les applications que vous utilisez en seront informées, et vos sessions, autorisations d’applications, validation en deux étapes, clés d’accès et comptes liés seront supprimés.
delete-export-first = Télécharger d’abord vos données
delete-needs-sign-in = Pour votre sécurité, reconnectez-vous avant de supprimer votre compte.
delete-confirm = Je comprends que mon compte sera supprimé définitivement.
delete-submit = Supprimer mon compte
delete-not-confirmed = Cochez la case pour confirmer que vous voulez supprimer votre compte.
delete-wrong-password = Le mot de passe est incorrect.
deleted-title = Votre compte a été supprimé
deleted-lead = Votre compte et tout ce qui y était enregistré ont été supprimés.
deleted-apps-told = Les applications auxquelles vous étiez connecté ont été informées de votre déconnexion. Vous pouvez fermer cette fenêtre.
## Emailed links: forgot password, reset, verification, sign-up, invitation, email change
login-forgot = Mot de passe oublié ?
login-sign-up = Créer un compte
link-expired-title = Lien expiré
link-expired = Ce lien a expiré, a déjà été utilisé ou a été remplacé par un plus récent.
link-expired-sign-in = Aller à la connexion
notice-to-account = Aller à votre compte
forgot-title = Mot de passe oublié ?
forgot-lead = Saisissez votre adresse e-mail et nous vous enverrons un lien pour choisir un nouveau mot de passe.
forgot-submit = Envoyer le lien
forgot-back = Retour à la connexion
forgot-sent-title = Consultez vos e-mails
forgot-sent = Si un compte a cette adresse, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Le lien est valable 30 minutes.
reset-title = Choisir un nouveau mot de passe
reset-submit = Enregistrer le nouveau mot de passe
invitation-title = Définir votre mot de passe
invitation-submit = Définir le mot de passe
new-password-for-html = Pour le compte <strong>{ $email }</strong>.
new-password-label = Nouveau mot de passe
new-password-repeat = Nouveau mot de passe, encore une fois
new-password-rules = Au moins { $min } caractères. Une longue phrase est idéale ; les mots de passe courants sont refusés.
new-password-mismatch = Les deux mots de passe ne sont pas identiques.
verify-title = Confirmer votre adresse e-mail
verify-lead-html = Confirmez que <strong>{ $email }</strong> est votre adresse.
verify-submit = Confirmer
verify-done-title = Adresse confirmée
verify-done = Merci : votre adresse e-mail est confirmée.
sign-up-title = Créer un compte
sign-up-name = Nom (facultatif)
sign-up-submit = Créer le compte
sign-up-have-account = Vous avez déjà un compte ? Connectez-vous
sign-up-sent-title = Consultez vos e-mails
sign-up-sent = Nous avons envoyé un lien à votre adresse. Ouvrez-le pour terminer la création de votre compte ; il est valable 24 heures.
sign-up-invalid-email = Saisissez une adresse e-mail valide.
sign-up-domain-not-allowed = L’inscription n’est pas ouverte aux adresses de ce domaine.
sign-up-confirm-title = Terminer la création de votre compte
sign-up-confirm-lead-html = Confirmez <strong>{ $email }</strong> pour créer votre compte.
sign-up-confirm-submit = Créer mon compte
sign-up-done-title = Votre compte est prêt
sign-up-done = Votre adresse e-mail est confirmée et votre compte est prêt. Connectez-vous avec votre mot de passe.
sign-up-done-sign-in = Se connecter
sign-up-exists-title = Vous avez déjà un compte
sign-up-exists = Un compte avec cette adresse existe déjà. Connectez-vous, ou réinitialisez votre mot de passe si vous l’avez oublié.
email-change-confirm-title = Confirmer votre nouvelle adresse e-mail
email-change-confirm-lead-html = Utiliser désormais <strong>{ $email }</strong> comme adresse de votre compte.
email-change-confirm-submit = Confirmer la nouvelle adresse
email-change-done-title = Adresse e-mail modifiée
email-change-done = L’adresse de votre compte est modifiée. Nous avons prévenu votre ancienne adresse, au cas où ce ne serait pas vous.
email-change-taken-title = Adresse indisponible
email-change-taken = Un autre compte a désormais cette adresse ; elle n’a pas été modifiée.
email-change-undo-title = Rétablir votre ancienne adresse
email-change-undo-lead-html = Refaire de <strong>{ $email }</strong> l’adresse de votre compte et vous déconnecter partout.
email-change-undo-submit = La rétablir
email-change-undone-title = Votre ancienne adresse est rétablie
email-change-undone = Votre compte a retrouvé son ancienne adresse et est déconnecté partout. Si vous ne l’aviez pas modifiée, choisissez maintenant un nouveau mot de passe.
email-change-undone-reset = Choisir un nouveau mot de passe
account-email-link = Adresse e-mail
account-email-title = Adresse e-mail
account-email-current-html = Votre adresse est <strong>{ $email }</strong>.
account-email-verified = Elle est confirmée.
account-email-unverified = Elle n’est pas encore confirmée.
account-email-send-verification = Envoyer le lien de confirmation
account-email-change = Changer votre adresse
account-email-new = Nouvelle adresse e-mail
account-email-change-submit = Envoyer un lien à la nouvelle adresse
account-email-change-how = Nous envoyons un lien à la nouvelle adresse ; votre adresse change quand vous l’ouvrez. Votre ancienne adresse est prévenue et peut annuler le changement pendant 72 heures.
account-email-verification-sent = Nous avons envoyé un lien de confirmation à votre adresse.
account-email-change-sent = Nous avons envoyé un lien à la nouvelle adresse. Ouvrez-le pour terminer le changement.
account-email-already-verified = Votre adresse est déjà confirmée.
account-email-too-many = Nous avons envoyé plusieurs liens à cette adresse dans la dernière heure. Réessayez plus tard.
account-email-sign-in-again = Pour votre sécurité, reconnectez-vous avant de changer votre adresse.
account-email-same = C’est déjà votre adresse.

## Mail
mail-greeting = Bonjour,
mail-link-fallback = Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :
mail-footer = { $product } a envoyé ce message automatiquement. Les réponses ne sont pas lues.
mail-verify-email-subject = Confirmez votre adresse e-mail pour { $product }
mail-verify-email-why = Quelqu’un, sans doute vous, souhaite utiliser cette adresse e-mail pour un compte { $product }. Veuillez confirmer qu’elle est bien à vous.
mail-verify-email-action = Confirmer mon adresse e-mail
mail-verify-email-expiry = Le lien est valable 24 heures.
mail-verify-email-not-you = Si ce n’était pas vous, vous pouvez ignorer ce message : rien ne change sans le lien.
mail-reset-password-subject = Choisissez un nouveau mot de passe pour { $product }
mail-reset-password-why = Quelqu’un, sans doute vous, a demandé à réinitialiser le mot de passe de votre compte { $product }.
mail-reset-password-action = Choisir un nouveau mot de passe
mail-reset-password-expiry = Le lien ne fonctionne qu’une fois, pendant 30 minutes.
mail-reset-password-not-you = Si ce n’était pas vous, vous pouvez ignorer ce message : votre mot de passe reste le même.
mail-password-changed-subject = Votre mot de passe { $product } a été modifié
mail-password-changed-why = Le mot de passe de votre compte { $product } vient d’être modifié, et toutes les autres sessions ont été fermées.
mail-password-changed-not-you = Si ce n’était pas vous, quelqu’un d’autre connaît peut-être votre mot de passe : choisissez-en un nouveau dès maintenant.
mail-password-changed-action = Réinitialiser mon mot de passe
mail-sign-up-exists-subject = Quelqu’un a tenté de s’inscrire à { $product } avec votre adresse
mail-sign-up-exists-why = Quelqu’un a tenté de créer un compte { $product } avec cette adresse e-mail, qui en a déjà un.
mail-sign-up-exists-sign-in-hint = Si c’était vous, connectez-vous plutôt avec votre compte existant :
mail-sign-up-exists-sign-in = Se connecter
mail-sign-up-exists-reset-hint = Si vous avez oublié votre mot de passe, choisissez-en un nouveau :
mail-sign-up-exists-reset = Réinitialiser mon mot de passe
mail-sign-up-exists-not-you = Si ce n’était pas vous, vous pouvez ignorer ce message : personne ne peut utiliser votre compte sans votre mot de passe.
mail-invite-subject = Vous êtes invité à rejoindre { $product }
mail-invite-why = Un compte { $product } a été créé pour vous. Choisissez votre mot de passe pour commencer à l’utiliser.
mail-invite-action = Choisir mon mot de passe
mail-invite-expiry = Le lien est valable 7 jours.
mail-invite-not-you = Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message.
mail-email-change-confirm-subject = Confirmez votre nouvelle adresse e-mail pour { $product }
mail-email-change-confirm-why = Quelqu’un, sans doute vous, a demandé à remplacer l’adresse e-mail d’un compte { $product } par celle-ci. Veuillez confirmer qu’elle est bien à vous.
mail-email-change-confirm-action = Confirmer ma nouvelle adresse
mail-email-change-confirm-expiry = Le lien est valable 24 heures.
mail-email-change-confirm-not-you = Si ce n’était pas vous, vous pouvez ignorer ce message : rien ne change sans le lien.
mail-email-change-notice-subject = L’adresse e-mail de votre compte { $product } a été modifiée
mail-email-change-notice-why = L’adresse e-mail de votre compte { $product } a été remplacée par { $new_email }. Les messages concernant le compte y sont désormais envoyés.
mail-email-change-notice-not-you = Si ce n’était pas vous, rétablissez votre adresse avec ce lien. Il est valable 72 heures.
mail-email-change-notice-action = Annuler la modification
mail-account-deleted-subject = Votre compte { $product } a été supprimé
mail-account-deleted-why = Votre compte { $product } a été supprimé, avec tout ce que { $product } conservait sur vous. Les applications auxquelles vous vous étiez connecté en ont été informées.
mail-account-deleted-not-you = Si ce n’était pas vous, contactez au plus vite les responsables de { $product }.

## Connexion d’un appareil (RFC 8628)

device-title = Connecter un appareil
device-heading = Connecter un appareil
device-lead = Saisissez le code affiché par votre appareil.
device-code-label = Code de votre appareil
device-code-hint = Huit lettres, telles qu’affichées sur l’appareil, par exemple BCDF-GHJK.
device-continue = Continuer
device-code-wrong = Ce code est incorrect, a expiré ou a déjà servi. Vérifiez l’appareil et réessayez.
device-form-expired = Le formulaire a expiré. Veuillez saisir le code à nouveau.
device-consent-title = Autoriser un appareil
device-consent-heading = Autoriser cet appareil ?
device-consent-lead-html = Un appareil utilisant <strong>{ $client }</strong> souhaite :
device-consent-warning = Ne continuez que si vous avez lancé cette démarche vous-même sur un appareil qui vous appartient. Si quelqu’un vous a envoyé ce code ou vous a demandé de le saisir, choisissez Refuser.
device-done-title = Appareil connecté
device-approved = { $client } est connecté. Vous pouvez retourner à votre appareil.
device-denied-title = Appareil non connecté
device-denied = { $client } n’a pas été connecté. Vous pouvez fermer cette page.
device-ended-title = Code plus valable
device-ended = Ce code a expiré, a déjà reçu une réponse ou a été saisi ailleurs. Recommencez sur l’appareil.
device-second-factor-required = { $client } exige la validation en deux étapes, que votre compte n’a pas. Activez-la depuis la page de votre compte, puis recommencez sur l’appareil.
