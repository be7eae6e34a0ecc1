// An editor never loses a word. What is typed into the article form is kept in this browser at
// once (localStorage), sent a few seconds later to the editor's working copy on the server
// (never public, never a revision), and offered back when the article is opened again. A save,
// or an autosave, made after the session ended or with a stale token asks for the password in a
// dialog and then goes through with what was typed. Leaving with unsaved changes asks first.
(function () {
  "use strict";
  const AUTOSAVE_DELAY = 3000; // after the last keystroke
  const AUTOSAVE_MAX_WAIT = 10000; // while typing without a pause
  const RETRY_DELAY = 10000; // after a failed autosave (network down, server error)
  const editors = new Map(); // body textarea -> its rich-text editor (django-prose-editor)

  // The editor is built after this script runs: note each one as it becomes ready.
  document.addEventListener("prose-editor:ready", function (event) {
    editors.set(event.detail.textarea, event.detail.editor);
    event.detail.editor.on("update", function () {
      document.dispatchEvent(new CustomEvent("newsroom:form-changed"));
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("article_form");
    const configElement = document.getElementById("working-copy-config");
    if (!form || !configElement) return;
    const config = JSON.parse(configElement.textContent);
    const storageKey = `newsroom:article:${config.article || "new"}:${config.user}`;
    const status = document.getElementById("autosave-status");
    const NOT_KEPT = new Set(["csrfmiddlewaretoken", "expected_version"]);
    let savedState; // the form as the server rendered it
    let timer = null;
    let firstChangeAt = null;
    let submitting = false;

    function snapshot() {
      const data = {};
      for (const [name, value] of new FormData(form)) {
        if (!kept(name) || value instanceof File) continue;
        (data[name] = data[name] || []).push(value);
      }
      return data;
    }

    // Not the form's token nor its version, nor what Django renders for its own bookkeeping: the
    // empty template of an inline row and the initial values of date fields.
    function kept(name) {
      return (
        !NOT_KEPT.has(name) &&
        !name.includes("__prefix__") &&
        !name.startsWith("initial-") &&
        !name.startsWith("conflict-")
      );
    }

    function same(a, b) {
      return JSON.stringify(a) === JSON.stringify(b);
    }

    function differingFields(data) {
      const current = snapshot();
      const names = new Set([...Object.keys(data), ...Object.keys(current)]);
      return [...names].filter((name) => !same(data[name] || [], current[name] || []));
    }

    function labelOf(name) {
      const row = name.match(/^(.+)-(\d+)-([^-]+)$/);
      if (row) {
        const heading = document.querySelector(`#${CSS.escape(row[1])}-group h2`);
        const group = heading ? heading.textContent.trim() : row[1];
        return `${group} ${parseInt(row[2], 10) + 1} (${row[3].replace(/_/g, " ")})`;
      }
      const element = form.elements[name];
      const id = element && (element.id || (element[0] && element[0].id));
      const label = id && form.querySelector(`label[for="${id}"]`);
      return label ? label.textContent.replace(/:$/, "").trim() : name;
    }

    function expectedVersion() {
      const field = form.elements.expected_version;
      return field && field.value ? parseInt(field.value, 10) : null;
    }

    function csrfToken() {
      return form.elements.csrfmiddlewaretoken.value;
    }

    function say(text, warning) {
      status.textContent = text;
      status.classList.toggle("is-warning", Boolean(warning));
    }

    function clock(date) {
      return date.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
    }

    // The browser copy

    function readLocal() {
      try {
        return JSON.parse(localStorage.getItem(storageKey));
      } catch (error) {
        return null;
      }
    }

    function writeLocal(entry) {
      try {
        localStorage.setItem(storageKey, JSON.stringify(entry));
      } catch (error) {
        say("This browser cannot keep a copy (storage full or blocked)", true);
      }
    }

    function dropLocal() {
      localStorage.removeItem(storageKey);
    }

    function isDirty() {
      return !same(snapshot(), savedState);
    }

    function changed() {
      if (submitting) return;
      const data = snapshot();
      if (same(data, savedState)) {
        dropLocal();
        clearTimeout(timer);
        timer = null;
        firstChangeAt = null;
        say("");
        return;
      }
      writeLocal({data: data, base_version: expectedVersion(), at: Date.now(), sent: false});
      say("Unsaved changes, kept in this browser");
      scheduleAutosave();
    }

    function scheduleAutosave(delay) {
      if (!config.autosave_url) return; // a new article: the browser copy is all there is
      const now = Date.now();
      firstChangeAt = firstChangeAt || now;
      const wait = delay !== undefined
        ? delay
        : Math.min(AUTOSAVE_DELAY, Math.max(0, firstChangeAt + AUTOSAVE_MAX_WAIT - now));
      clearTimeout(timer);
      timer = setTimeout(autosave, wait);
    }

    // The server's working copy

    async function autosave() {
      timer = null;
      firstChangeAt = null;
      const entry = readLocal();
      if (!entry || entry.sent || submitting) return;
      let response;
      try {
        response = await postJson(config.autosave_url, {
          data: entry.data,
          base_version: entry.base_version,
        });
      } catch (networkDown) {
        say("Offline: your changes are kept in this browser and sent once the network is back", true);
        scheduleAutosave(RETRY_DELAY);
        return;
      }
      if (response.status === 401 || response.status === 403) {
        const answer = await response.json().catch(() => ({}));
        if (answer.signed_out || answer.csrf_stale) {
          say("Signed out: your changes are kept in this browser", true);
          if (await ensureSignedIn()) scheduleAutosave(0);
          return;
        }
        say(answer.detail || "Autosave refused: your changes are kept in this browser", true);
        return;
      }
      if (!response.ok) {
        say("Autosave failed: your changes are kept in this browser; retrying", true);
        scheduleAutosave(RETRY_DELAY);
        return;
      }
      const latest = readLocal();
      if (latest && latest.at === entry.at) {
        latest.sent = true; // the server has it; the next change makes a new browser copy
        writeLocal(latest);
      }
      say(`Autosaved at ${clock(new Date())} (not published; Save when ready)`);
    }

    function postJson(url, body, method) {
      return fetch(url, {
        method: method || "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }

    // Signing in again without leaving the page

    const dialog = document.getElementById("sign-in-dialog");
    const dialogForm = document.getElementById("sign-in-form");
    const dialogError = document.getElementById("sign-in-error");
    let signingIn = null;

    async function currentSession() {
      const response = await fetch(config.session_url, {
        credentials: "same-origin",
        headers: {Accept: "application/json"},
      });
      return response.json();
    }

    // Resolves true once the browser is signed in with a fresh token in the form, false if the
    // editor chose not to sign in now.
    async function ensureSignedIn() {
      const session = await currentSession();
      form.elements.csrfmiddlewaretoken.value = session.csrf_token;
      if (session.authenticated) return true;
      if (!signingIn) signingIn = askForPassword().finally(() => (signingIn = null));
      return signingIn;
    }

    function askForPassword() {
      return new Promise(function (resolve) {
        dialogError.hidden = true;
        dialogForm.elements.username.value = config.user;
        dialogForm.elements.password.value = "";
        dialog.showModal();
        dialogForm.elements.password.focus();
        function finish(result) {
          dialogForm.removeEventListener("submit", submit);
          document.getElementById("sign-in-cancel").removeEventListener("click", cancel);
          dialog.close();
          resolve(result);
        }
        async function submit(event) {
          event.preventDefault();
          let response;
          try {
            response = await postJson(config.sign_in_url, {
              username: dialogForm.elements.username.value,
              password: dialogForm.elements.password.value,
            });
          } catch (networkDown) {
            showError("The server can't be reached: check the network and try again.");
            return;
          }
          const answer = await response.json().catch(() => ({}));
          if (!response.ok) {
            showError(answer.detail || "Sign-in failed.");
            return;
          }
          form.elements.csrfmiddlewaretoken.value = answer.csrf_token;
          say(`Signed in again as ${answer.username}`);
          finish(true);
        }
        function cancel() {
          say("Signed out: your changes are kept in this browser", true);
          finish(false);
        }
        function showError(text) {
          dialogError.textContent = text;
          dialogError.hidden = false;
          dialogForm.elements.password.select();
        }
        dialogForm.addEventListener("submit", submit);
        document.getElementById("sign-in-cancel").addEventListener("click", cancel);
      });
    }

    // Save: check the session first, so a save never lands on the login page

    form.addEventListener("submit", async function (event) {
      if (form.dataset.sessionChecked === "yes") {
        submitting = true;
        const entry = readLocal();
        if (entry) writeLocal({...entry, data: snapshot(), submitted: true, at: Date.now()});
        return;
      }
      event.preventDefault();
      const submitter = event.submitter;
      let ready;
      try {
        ready = await ensureSignedIn();
      } catch (networkDown) {
        say("The server can't be reached: nothing was lost, try Save again in a moment", true);
        return;
      }
      if (!ready) return;
      form.dataset.sessionChecked = "yes";
      form.requestSubmit(submitter);
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || !isDirty()) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to ask
    });

    window.addEventListener("online", function () {
      const entry = readLocal();
      if (entry && !entry.sent) scheduleAutosave(0);
    });

    // Who else has this article open (a heartbeat, not a lock)

    const others = document.getElementById("also-editing");

    async function beat() {
      if (!config.presence_url) return;
      try {
        const response = await postJson(config.presence_url, {});
        if (!response.ok) return;
        const names = (await response.json()).others;
        others.hidden = names.length === 0;
        others.textContent = names.length
          ? `${names.join(", ")} ${names.length === 1 ? "has" : "have"} this article open too: ` +
            "if you both save, the second save shows what the first changed."
          : "";
      } catch (networkDown) {
        // the next beat tries again
      }
    }

    if (config.presence_url) {
      beat();
      setInterval(beat, config.presence_seconds * 1000);
      window.addEventListener("pagehide", function () {
        fetch(config.presence_url, {
          method: "POST",
          keepalive: true,
          credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
          body: JSON.stringify({leaving: true}),
        }).catch(() => {});
      });
    }

    // Offering unsaved changes back

    const offer = document.getElementById("unsaved-offer");

    const MANAGEMENT = /^(.+)-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

    // "Unsaved changes from 10:32": each field that differs, to restore or leave.
    function offerBack(copy, where) {
      const fields = differingFields(copy.data);
      const choices = fields.filter((name) => !MANAGEMENT.test(name));
      if (!choices.length) return false;
      document.getElementById("unsaved-offer-title").textContent =
        `Unsaved changes from ${clock(new Date(copy.at))} (${where}).`;
      const list = document.getElementById("unsaved-offer-fields");
      list.replaceChildren(
        "Restore: ",
        ...choices.map(function (name) {
          const label = document.createElement("label");
          const box = document.createElement("input"); // no name: never part of the form
          box.type = "checkbox";
          box.checked = true;
          box.dataset.field = name;
          label.append(box, ` ${labelOf(name)} `);
          return label;
        })
      );
      offer.hidden = false;
      document.getElementById("unsaved-restore").onclick = function () {
        const chosen = [...list.querySelectorAll("input:checked")].map((box) => box.dataset.field);
        const merged = snapshot();
        for (const name of chosen) merged[name] = copy.data[name] || [];
        for (const name of fields) {
          const management = name.match(MANAGEMENT);
          if (management && chosen.some((field) => field.startsWith(`${management[1]}-`))) {
            merged[name] = copy.data[name];
          }
        }
        restore(merged);
        if (copy.base_version) form.elements.expected_version.value = copy.base_version;
        offer.hidden = true;
        changed();
        say("Restored: check them, then Save");
      };
      document.getElementById("unsaved-discard").onclick = function () {
        dropLocal();
        if (config.autosave_url && config.working_copy) {
          postJson(config.autosave_url, undefined, "DELETE").catch(() => {});
        }
        offer.hidden = true;
        say("Unsaved changes discarded");
      };
      return true;
    }

    function addInlineRows(data) {
      for (const name of Object.keys(data)) {
        const match = name.match(/^(.+)-TOTAL_FORMS$/);
        const total = form.elements[name];
        if (!match || !total) continue;
        const add = document.querySelector(`#${CSS.escape(match[1])}-group .add-row a`);
        let missing = parseInt(data[name][0], 10) - parseInt(total.value, 10);
        while (add && missing-- > 0) add.click();
      }
    }

    function restore(data) {
      addInlineRows(data);
      for (const element of form.elements) {
        if (!element.name || !kept(element.name) || element.type === "file") continue;
        if (["submit", "button", "reset"].includes(element.type)) continue;
        setElement(element, data[element.name] || []);
      }
      refreshAutocompletes();
    }

    function setElement(element, values) {
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.includes(element.value);
      } else if (element.tagName === "SELECT") {
        for (const value of values) {
          if (![...element.options].some((option) => option.value === value)) {
            element.add(new Option(value, value)); // an autocomplete's choice not loaded yet
          }
        }
        for (const option of element.options) option.selected = values.includes(option.value);
      } else if (editors.has(element)) {
        editors.get(element).commands.setContent(values[0] || "");
        element.value = values[0] || "";
      } else {
        element.value = values[0] || "";
      }
      element.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function refreshAutocompletes() {
      if (window.django && window.django.jQuery) {
        window.django.jQuery(form).find("select.admin-autocomplete").trigger("change.select2");
      }
    }

    // A refused save: "Keep mine" / "Take theirs" for each field both editors changed

    function offerChoices() {
      const theirsElement = document.getElementById("conflict-theirs");
      if (!theirsElement) return;
      const theirs = JSON.parse(theirsElement.textContent);
      const mine = snapshot();
      for (const radio of form.querySelectorAll('input[type=radio][name^="conflict-"]')) {
        radio.addEventListener("change", function () {
          const name = radio.name.slice("conflict-".length);
          const element = form.elements[name];
          if (!element) return;
          setElement(element, radio.value === "theirs" ? [theirs[name]] : mine[name] || []);
          refreshAutocompletes();
          changed();
        });
      }
    }

    function offerPendingEdit() {
      const button = document.getElementById("pending-edit");
      if (!button || !config.pending) return;
      button.addEventListener("click", function () {
        restore(config.pending.data);
        form.elements.expected_version.value = config.pending.base_version;
        changed();
        say("The changes saved for later are in the form: Save changes for later again, or Save to publish");
      });
    }

    function start() {
      offerPendingEdit();
      // A form sent back with errors (a refused save) holds what is not saved yet.
      const refused = form.querySelector(".errornote") !== null;
      savedState = refused ? {} : snapshot();
      offerChoices();
      form.addEventListener("input", changed);
      form.addEventListener("change", changed);
      document.addEventListener("newsroom:form-changed", changed);
      const local = readLocal();
      if (local && local.submitted && (savedSince(local) || !isDirtyAgainst(local) || keptForLater(local))) {
        dropLocal(); // that save went through
      }
      const server = config.working_copy && {
        data: config.working_copy.data,
        base_version: config.working_copy.base_version,
        at: Date.parse(config.working_copy.saved_at),
      };
      const kept = readLocal();
      const newest = [kept, server].filter(Boolean).sort((a, b) => b.at - a.at)[0];
      if (refused) changed(); // kept in this browser and autosaved, like anything typed
      else if (newest) offerBack(newest, newest === server ? "autosaved" : "kept in this browser");
    }

    function savedSince(entry) {
      return entry.base_version !== expectedVersion();
    }

    // Saved for later (articles.pending): the waiting change holds exactly what was sent.
    function keptForLater(entry) {
      const pending = config.pending && config.pending.data;
      return Boolean(pending) && Object.keys(entry.data).every((name) => same(entry.data[name], pending[name] || []));
    }

    function isDirtyAgainst(entry) {
      return differingFields(entry.data).length > 0;
    }

    // Give the rich-text editor a moment to normalise the body before taking the baseline.
    const bodies = [...form.querySelectorAll("textarea[data-django-prose-editor]")];
    if (bodies.length === 0 || bodies.every((textarea) => editors.has(textarea))) {
      start();
    } else {
      let started = false;
      const once = () => {
        if (!started && bodies.every((textarea) => editors.has(textarea))) {
          started = true;
          start();
        }
      };
      document.addEventListener("prose-editor:ready", () => setTimeout(once, 0));
      setTimeout(() => {
        if (!started) {
          started = true;
          start();
        }
      }, 3000);
    }
  });
})();
