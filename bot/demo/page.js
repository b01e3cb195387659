// The demo page: one chat per persona, refreshed by long polling /api/state/<persona>.
"use strict";

const el = (id) => document.getElementById(id);
let persona = Number(new URLSearchParams(location.search).get("persona")) || null;
let version = null;
let poll = null;
let lastToast = null;
let commands = [];

function esc(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

function safeUrl(url) {
  return /^(https?:|tg:|mailto:|tel:)/i.test(url) ? url : "#";
}

// Telegram's entities (offsets in UTF-16 units, which is what JS strings index) to HTML.
function renderText(text, entities) {
  const opens = {}, closes = {};
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  for (const e of sorted) {
    const tag = {
      bold: ["<b>", "</b>"], italic: ["<i>", "</i>"], underline: ["<u>", "</u>"],
      strikethrough: ["<s>", "</s>"], code: ["<code>", "</code>"], pre: ["<pre>", "</pre>"],
      spoiler: ['<span class="spoiler">', "</span>"], blockquote: ["<blockquote>", "</blockquote>"],
      expandable_blockquote: ["<blockquote>", "</blockquote>"],
      text_link: [`<a href="${esc(safeUrl(e.url || ""))}" target="_blank" rel="noopener">`, "</a>"],
      url: [`<a href="${esc(safeUrl(text.substr(e.offset, e.length)))}" target="_blank" rel="noopener">`, "</a>"],
    }[e.type];
    if (!tag) continue;
    (opens[e.offset] = opens[e.offset] || []).push(tag[0]);
    (closes[e.offset + e.length] = closes[e.offset + e.length] || []).unshift(tag[1]);
  }
  let html = "";
  for (let i = 0; i <= text.length; i++) {
    if (closes[i]) html += closes[i].join("");
    if (opens[i]) html += opens[i].join("");
    if (i < text.length) html += esc(text[i]);
  }
  return html;
}

function messageNode(m) {
  const node = document.createElement("div");
  node.className = `msg ${m.from}`;
  node.dir = "auto";
  node.dataset.id = m.id;
  let html = "";
  if (m.venue) {
    const v = m.venue;
    html += `<div class="card venue"><div class="title">📍 ${esc(v.title)}</div>` +
      `<div class="address">${esc(v.address)}</div>` +
      `<div class="coords" dir="ltr">${v.latitude.toFixed(5)}, ${v.longitude.toFixed(5)}</div></div>`;
  } else if (m.location) {
    html += `<div class="card location"><div class="title">📍</div><div class="coords" dir="ltr">` +
      `${m.location.latitude.toFixed(5)}, ${m.location.longitude.toFixed(5)}</div></div>`;
  }
  if (m.document) {
    const kb = Math.max(1, Math.round(m.document.size / 1024));
    html += `<div class="doc"><a href="/api/file/${encodeURIComponent(m.document.file_id)}" ` +
      `download="${esc(m.document.name)}">📄 <span class="name">${esc(m.document.name)}</span>` +
      ` <small>(${kb} KB)</small></a></div>`;
  }
  if (m.text) html += `<div class="text">${m.from === "bot" ? renderText(m.text, m.entities) : esc(m.text)}</div>`;
  if (m.edited) html += '<span class="edited">edited</span>';
  node.innerHTML = html;
  if (m.buttons && m.buttons.length) {
    const kb = document.createElement("div");
    kb.className = "kb";
    for (const row of m.buttons) {
      const r = document.createElement("div");
      r.className = "row";
      for (const b of row) {
        let button;
        if (b.url) {
          button = document.createElement("a");
          button.href = safeUrl(b.url);
          button.target = "_blank";
          button.rel = "noopener";
        } else {
          button = document.createElement("button");
          button.type = "button";
          button.dataset.callback = b.callback_data || "";
          button.addEventListener("click", () => press(m.id, b.callback_data));
        }
        button.textContent = b.text;
        r.appendChild(button);
      }
      kb.appendChild(r);
    }
    node.appendChild(kb);
  }
  return node;
}

function render(state) {
  const nav = el("personas");
  nav.replaceChildren(...state.personas.map((p) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "persona";
    b.dataset.id = p.id;
    b.dataset.locale = p.locale;
    b.setAttribute("aria-pressed", String(p.id === persona));
    b.textContent = `${p.staff ? "🛠" : "👪"} ${p.name} · ${p.locale} · ${p.place}`;
    b.addEventListener("click", () => switchTo(p.id));
    return b;
  }));
  const me = state.personas.find((p) => p.id === persona);
  const chat = el("chat");
  chat.dir = me && me.locale === "ar" ? "rtl" : "ltr";
  chat.lang = me ? me.locale : "en";
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  if (state.messages.length) {
    chat.replaceChildren(...state.messages.map(messageNode));
  } else {
    const hint = document.createElement("div");
    hint.className = "empty";
    hint.dir = "ltr";
    hint.textContent = "No messages yet: send /start, or pick a command from ☰.";
    chat.replaceChildren(hint);
  }
  if (atBottom || state.version !== version) chat.scrollTop = chat.scrollHeight;
  const banner = el("banner");
  banner.hidden = !state.errors.length;
  banner.textContent = state.errors.length
    ? "A changed file is broken; the previous version keeps serving:\n" + state.errors.join("\n")
    : "";
  el("clock").textContent = state.clock.now.replace("T", " ") +
    (state.clock.offset_hours ? ` (+${Math.round(state.clock.offset_hours)} h)` : "");
  el("watch-state").textContent = state.watching ? `watching data files · reloads: ${state.reloads}` : "";
  commands = state.commands;
  renderMenu();
  if (state.toast && state.toast.id !== lastToast) {
    if (lastToast !== null || version !== null) showToast(state.toast.text);
    lastToast = state.toast.id;
  }
  version = state.version;
}

function renderMenu() {
  el("menu").replaceChildren(...commands.map((c) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dir = "auto";
    b.innerHTML = `<span class="cmd">/${esc(c.command)}</span>${esc(c.description)}`;
    b.addEventListener("click", () => { el("menu").hidden = true; send("/" + c.command); });
    return b;
  }));
}

function showToast(text) {
  const t = el("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => { t.hidden = true; }, 2500);
}

async function refresh() {
  const mine = persona;
  if (poll) poll.abort();
  const controller = new AbortController();
  poll = controller;
  let wait = false;
  for (;;) {
    const query = wait && version !== null ? `?since=${version}` : "";
    try {
      const response = await fetch(`/api/state/${mine}${query}`, { signal: controller.signal });
      if (!response.ok) throw new Error(await response.text());
      const state = await response.json();
      if (controller.signal.aborted || mine !== persona) return;
      render(state);
      wait = true;
    } catch (err) {
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the demo stopped: retry
    }
  }
}

function switchTo(id) {
  persona = id;
  version = null;
  lastToast = null;
  history.replaceState(null, "", `?persona=${id}`);
  refresh();
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!response.ok) showToast(await response.text());
  return response;
}

function send(text) { return post("/api/send", { user: persona, text }); }
function press(messageId, data) { return post("/api/press", { user: persona, message_id: messageId, data }); }

el("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = el("input").value.trim();
  if (!text) return;
  el("input").value = "";
  send(text);
});
el("menu-button").addEventListener("click", () => { el("menu").hidden = !el("menu").hidden; });
el("deep-link").addEventListener("click", () => {
  const payload = prompt("The part after ?start= in a t.me link (for example a poster's code):");
  if (payload) send(`/start ${payload.trim()}`);
});
for (const b of document.querySelectorAll("[data-hours]")) {
  b.addEventListener("click", () => post("/api/clock", { hours: Number(b.dataset.hours) }));
}

(async () => {
  if (!persona) {
    const first = await (await fetch("/api/state/910001")).json();
    persona = first.personas[0].id;
  }
  switchTo(persona);
})();
