// Werkpunt web chat: plain JavaScript, no build step. Text is always inserted as text, never as HTML.
"use strict";

(function () {
  const log = document.getElementById("log");
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const restartButton = document.getElementById("restart");
  const typing = document.getElementById("typing");
  const status = document.getElementById("status");
  const error = document.getElementById("error");
  const counter = document.getElementById("counter");
  const handoff = document.getElementById("handoff");
  const WHO = { user: "U", bot: "Assistent", system: "Assistent", staff: "Medewerker" };
  const NETWORK_ERROR = "Het versturen is niet gelukt. Controleer uw internetverbinding en probeer het opnieuw.";

  let seen = new Set();
  let lastId = 0;
  let busy = false;
  let session = 0; // increases when a new conversation starts; old poll loops then stop

  function say(text) { status.textContent = text; }

  function render(msg) {
    if (msg.id !== null && msg.id !== undefined) {
      if (seen.has(msg.id)) return;
      seen.add(msg.id);
      lastId = Math.max(lastId, msg.id);
    }
    if (msg.author === "user" && msg.text === "/start") return; // the page opened the conversation
    const item = document.createElement("li");
    item.className = "msg msg--" + (WHO[msg.author] ? msg.author : "bot");
    const who = document.createElement("p");
    who.className = "msg__who" + (msg.author === "staff" ? "" : " visually-hidden");
    who.textContent = (WHO[msg.author] || "Assistent") + ":";
    const text = document.createElement("div");
    text.className = "msg__text";
    fillText(text, msg.text || "");
    item.append(who, text);
    if (msg.author === "user" && msg.status === "failed") {
      const note = document.createElement("p");
      note.className = "msg__note";
      note.textContent = "Nog niet beantwoord. Een medewerker kan dit bericht zien.";
      item.append(note);
    }
    if (msg.buttons && msg.buttons.length) {
      const group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Kies een antwoord");
      for (const b of msg.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", () => choose(group, button, b));
        group.append(button);
      }
      item.append(group);
    }
    list.append(item);
    // Only the newest message's buttons can be used; older choices are history.
    for (const group of list.querySelectorAll(".choices")) {
      if (group.parentElement !== list.lastElementChild) {
        for (const button of group.querySelectorAll("button")) button.disabled = true;
      }
    }
    log.scrollTop = log.scrollHeight;
  }

  // Lines starting with "- " become a real bulleted list; other lines are paragraphs (as text, never HTML).
  function fillText(container, value) {
    let bullets = null;
    let paragraph = null;
    for (const line of value.split("\n")) {
      if (line.startsWith("- ")) {
        if (!bullets) { bullets = document.createElement("ul"); container.append(bullets); }
        const entry = document.createElement("li");
        entry.textContent = line.slice(2);
        bullets.append(entry);
        paragraph = null;
      } else {
        bullets = null;
        if (!paragraph) { paragraph = document.createElement("p"); container.append(paragraph); }
        else paragraph.append("\n");
        paragraph.append(line);
      }
    }
  }

  function showHandoff(state) { handoff.hidden = state !== "active"; }

  // Issue 16: match alerts wait for the user; the title counts those not yet acted on, "(2) Werkpunt".
  const baseTitle = document.title;
  function showAlerts(count) {
    if (typeof count !== "number") return;
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    sendButton.disabled = on;
    say(on ? "De assistent typt…" : "");
  }

  async function api(method, url, body) {
    const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || NETWORK_ERROR);
    return data;
  }

  async function send(body) {
    if (busy) return false;
    error.textContent = "";
    setBusy(true);
    let data;
    try {
      data = await api("POST", "/api/message", body);
    } catch (e) {
      setBusy(false);
      error.textContent = e.message || NETWORK_ERROR;
      return false;
    }
    setBusy(false);
    if (data.reset) {
      clear();
      for (const m of data.messages) if (m.author !== "user") render(m);
      say("Uw gegevens zijn gewist. U kunt een nieuw gesprek beginnen.");
      return true;
    }
    for (const m of data.messages) render(m);
    if (data.silent) say("Uw bericht is doorgestuurd naar de medewerker.");
    return true;
  }

  async function choose(group, button, choice) {
    if (busy) return;
    for (const b of group.querySelectorAll("button")) b.disabled = true;
    button.setAttribute("aria-pressed", "true");
    input.focus();
    if (!(await send({ payload: choice.payload, title: choice.title }))) {
      for (const b of group.querySelectorAll("button")) b.disabled = false;
      button.removeAttribute("aria-pressed");
    }
  }

  function clear() {
    list.replaceChildren();
    showAlerts(0);
    seen = new Set();
    lastId = 0;
    session += 1;
    showHandoff("none");
    poll(session);
  }

  async function poll(mine) {
    let delay = 1000;
    while (mine === session) {
      try {
        const data = await api("GET", "/api/updates?after=" + lastId);
        if (mine !== session) return;
        for (const m of data.messages || []) render(m);
        if (data.handoff) showHandoff(data.handoff);
        showAlerts(data.alerts_unread);
        delay = 1000;
      } catch (e) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30000);
      }
    }
  }

  function updateCounter() {
    counter.textContent = input.value.length + " van " + counter.dataset.max + " tekens";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      error.textContent = "Uw bericht is leeg. Typ eerst uw vraag.";
      input.focus();
      return;
    }
    input.value = "";
    updateCounter();
    if (!(await send({ text }))) {
      input.value = text; // nothing is lost: the user can send it again
      updateCounter();
    }
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", updateCounter);

  restartButton.addEventListener("click", async () => {
    if (!window.confirm("Wilt u een nieuw gesprek beginnen? Dit gesprek verdwijnt van het scherm.")) return;
    try {
      await api("POST", "/api/restart", {});
    } catch (e) {
      error.textContent = e.message;
      return;
    }
    clear();
    await send({ start: true });
    input.focus();
  });

  async function start() {
    try {
      const data = await api("GET", "/api/history");
      for (const m of data.messages) render(m);
      showHandoff(data.handoff);
      showAlerts(data.alerts_unread);
      poll(session);
      if (!data.messages.length) await send({ start: true });
    } catch (e) {
      error.textContent = e.message || NETWORK_ERROR;
    }
  }

  start();
})();
