// Passkey ceremonies on Tessera's pages. A form marked `data-passkey="create"` or
// `data-passkey="get"` carries the server's options (JSON, in `data-options`) and hidden
// `credential` field; this script asks the browser's authenticator and submits the form with
// its answer. Without JavaScript the passkey controls stay hidden and nothing else changes.
"use strict";

(() => {
  if (!window.PublicKeyCredential) {
    return;
  }

  const toBytes = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

  // base64url without padding, which the server requires (some password managers' own
  // toJSON() give standard base64).
  const toText = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");

  const creationOptions = (publicKey) => ({
    ...publicKey,
    challenge: toBytes(publicKey.challenge),
    user: { ...publicKey.user, id: toBytes(publicKey.user.id) },
    excludeCredentials: (publicKey.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  });

  const requestOptions = (publicKey) => ({
    ...publicKey,
    challenge: toBytes(publicKey.challenge),
    allowCredentials: (publicKey.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  });

  const registration = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      attestationObject: toText(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });

  const assertion = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      authenticatorData: toText(credential.response.authenticatorData),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : undefined,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });

  const submitWith = (form, answer) => {
    form.elements.credential.value = JSON.stringify(answer);
    form.submit();
  };

  const showProblem = (form, error) => {
    const message = form.querySelector("[data-passkey-problem]");
    if (message && error && error.name !== "AbortError") {
      message.hidden = false;
    }
  };

  for (const form of document.querySelectorAll("form[data-passkey]")) {
    const options = JSON.parse(form.dataset.options);
    const button = form.querySelector("[data-passkey-start]");
    form.hidden = false;
    let pending = null;

    const get = (mediation) => {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      const request = { publicKey: requestOptions(options.publicKey), signal: pending.signal };
      if (mediation) {
        request.mediation = mediation;
      }
      return navigator.credentials.get(request).then((credential) => {
        if (credential) {
          submitWith(form, assertion(credential));
        }
      });
    };

    if (form.dataset.passkey === "create") {
      form.addEventListener("submit", (event) => {
        if (form.elements.credential.value) {
          return;
        }
        event.preventDefault();
        const publicKey = creationOptions(options.publicKey);
        navigator.credentials
          .create({ publicKey })
          .then((credential) => submitWith(form, registration(credential)))
          .catch((error) => showProblem(form, error));
      });
      continue;
    }

    if (button) {
      button.addEventListener("click", () => get(null).catch((error) => showProblem(form, error)));
    }
    // Passkey autofill on the email field, where the browser offers it.
    if (form.dataset.conditional === "yes" && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
        if (available) {
          get("conditional").catch(() => {});
        }
      });
    }
  }
})();
