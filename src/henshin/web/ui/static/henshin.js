/* henshin inbox: keyboard shortcuts, live updates (SSE), presence, drafts, actions.
   Small on purpose: pages are server-rendered; this file only wires behaviour. */
(function () {
  "use strict";
  const body = document.body;
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const strings = JSON.parse((document.getElementById("i18n") || {}).textContent || "{}");
  const t = (key, values) => {
    let text = strings[key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.replace("{" + k + "}", v);
    return text;
  };
  const me = Number(body.dataset.userId || 0);
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  /* ---- feedback ------------------------------------------------------------------ */
  let toastTimer = null;
  function toast(message, opts) {
    const box = $("#toast");
    if (!box) return;
    box.textContent = message;
    box.className = "toast" + (opts && opts.error ? " toast-error" : "");
    if (opts && opts.undo) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "linklike"; button.textContent = t("ticket.undo");
      button.addEventListener("click", () => { box.hidden = true; opts.undo(); });
      box.append(" ", button);
    }
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, opts && opts.undo ? 8000 : 5000);
  }

  class ApiError extends Error {}

  async function api(method, url, payload) {
    let response;
    try {
      response = await fetch(url, {
        method, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (err) {
      throw new ApiError(t("core.error.network"));
    }
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); }
    if (!response.ok) {
      let code = "generic", detail = "";
      try { const data = await response.json(); code = data.error.code; detail = data.error.message; } catch (e) { /* not JSON */ }
      const known = { forbidden: 1, not_found: 1, conflict: 1, invalid: 1, unauthorized: 1 };
      const base = known[code] ? t("core.error." + code) : t("core.error.generic");
      const error = new ApiError(detail ? base + " — " + detail : base);
      error.status = response.status;
      throw error;
    }
    return response.status === 204 ? null : response.json();
  }
  const fail = (err) => toast(err.message || t("core.error.generic"), { error: true });

  /* ---- snooze times ---------------------------------------------------------------- */
  function snoozeUntil(preset) {
    const now = new Date();
    if (preset === "1h") return new Date(now.getTime() + 3600e3).toISOString();
    const d = new Date(now); d.setHours(9, 0, 0, 0);
    if (preset === "tomorrow") d.setDate(d.getDate() + 1);
    else if (preset === "next_week") d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
    else return preset; // already an ISO time
    return d.toISOString();
  }

  /* ---- live stream ------------------------------------------------------------------ */
  const liveHandlers = [];
  function startLive() {
    if (!body.dataset.workspace || !window.EventSource) return;
    const source = new EventSource("/live/stream");
    const on = (type) => source.addEventListener(type, (e) => {
      const message = JSON.parse(e.data);
      liveHandlers.forEach((h) => h(message));
    });
    on("ticket"); on("presence");
    source.addEventListener("hello", () => { body.dataset.live = "on"; });
    source.onerror = () => { body.dataset.live = "off"; };
  }

  /* ---- shortcuts dialog and typing guard -------------------------------------------- */
  const typingInField = (e) => {
    const el = e.target;
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  };
  function showHelp() { const d = $("#shortcuts"); if (d && !d.open) d.showModal(); }

  /* ================================================================================= */
  /* Inbox list                                                                          */
  /* ================================================================================= */
  function initInbox(root) {
    const list = $("#rows");
    let cursorId = null;
    const rows = () => $$("li.row", list);
    const current = () => rows().find((r) => r.dataset.ticketId === cursorId) || null;

    function move(delta) {
      const all = rows();
      if (!all.length) return;
      let index = all.findIndex((r) => r.dataset.ticketId === cursorId);
      index = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + delta));
      setCursor(all[index]);
    }
    function setCursor(row) {
      rows().forEach((r) => r.classList.remove("cursor"));
      if (!row) return;
      row.classList.add("cursor");
      cursorId = row.dataset.ticketId;
      row.scrollIntoView({ block: "nearest" });
      const link = $(".row-main", row); if (link) link.focus({ preventScroll: true });
    }
    const picked = () => $$("input.pick:checked", list).map((c) => Number(c.value));
    function updateBulk() {
      const ids = picked();
      $("#bulk").hidden = ids.length === 0;
      $("#bulk-count").textContent = t("inbox.selected", { count: ids.length });
    }
    const targetIds = () => { const ids = picked(); if (ids.length) return ids; const r = current(); return r ? [Number(r.dataset.ticketId)] : []; };

    async function bulk(action, extra) {
      const ids = targetIds();
      if (!ids.length) return;
      try {
        await api("POST", "/api/v1/tickets/bulk", Object.assign({ ticket_ids: ids, action }, extra || {}));
        const next = action === "close" || action === "snooze" ? nextAfter(ids) : cursorId;
        await refresh(next);
        if (action === "close") toast(t("ticket.closed_done"), { undo: () => api("POST", "/api/v1/tickets/bulk", { ticket_ids: ids, action: "reopen" }).then(() => refresh()).catch(fail) });
      } catch (err) { fail(err); }
    }
    function nextAfter(ids) {
      const all = rows(); const gone = new Set(ids.map(String));
      const index = all.findIndex((r) => r.dataset.ticketId === cursorId);
      for (let i = index + 1; i < all.length; i++) if (!gone.has(all[i].dataset.ticketId)) return all[i].dataset.ticketId;
      for (let i = index - 1; i >= 0; i--) if (!gone.has(all[i].dataset.ticketId)) return all[i].dataset.ticketId;
      return null;
    }

    let refreshing = null, again = false;
    async function refresh(keepId) {
      if (refreshing) { again = true; return refreshing; }
      const checked = new Set(picked().map(String));
      const wanted = keepId === undefined ? cursorId : keepId;
      refreshing = (async () => {
        try {
          const response = await fetch(list.dataset.rowsUrl, { credentials: "same-origin" });
          if (!response.ok) return;
          list.innerHTML = await response.text();
          if (window.htmx) htmx.process(list);
          $$("input.pick", list).forEach((c) => { if (checked.has(c.value)) c.checked = true; });
          const row = rows().find((r) => r.dataset.ticketId === wanted);
          if (row) { rows().forEach((r) => r.classList.remove("cursor")); row.classList.add("cursor"); cursorId = wanted; }
          else if (wanted !== null && rows().length) setCursor(rows()[0]);
          updateBulk();
          loadCounts();
        } finally {
          refreshing = null;
          if (again) { again = false; refresh(); }
        }
      })();
      return refreshing;
    }
    async function loadCounts() {
      try {
        const data = await (await fetch("/inbox/counts", { credentials: "same-origin" })).json();
        for (const [key, value] of Object.entries(data.counts)) {
          const el = $('[data-count-for="' + key + '"]');
          if (el) el.textContent = value >= data.cap ? (data.cap - 1) + "+" : String(value);
        }
      } catch (e) { /* counts are a nicety */ }
    }

    list.addEventListener("change", (e) => { if (e.target.matches("input.pick")) updateBulk(); });
    list.addEventListener("click", (e) => { const row = e.target.closest("li.row"); if (row && !e.target.matches("input")) { cursorId = row.dataset.ticketId; } });
    $$("#bulk [data-bulk]").forEach((el) => {
      const kind = el.dataset.bulk;
      if (kind === "close") el.addEventListener("click", () => bulk("close"));
      else el.addEventListener("change", () => {
        const value = el.value; if (!value) return;
        if (kind === "assign") { const [type, id] = value.split(":"); bulk("assign", type === "user" ? { user_id: Number(id) } : { team_id: Number(id) }); }
        if (kind === "tag") bulk("tag", { tags: [value] });
        if (kind === "snooze") bulk("snooze", { until: snoozeUntil(value) });
        el.value = "";
      });
    });
    // Search as you type (the form still works without JavaScript).
    const q = $("#q");
    let searchTimer = null;
    if (q) q.addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        const params = new URLSearchParams(list.dataset.rowsUrl.split("?")[1] || "");
        params.set("q", q.value); params.delete("cursor");
        list.dataset.rowsUrl = "/inbox/rows?" + params.toString();
        history.replaceState(null, "", "/inbox?" + params.toString());
        refresh(null);
      }, 250);
    });
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (typingInField(e)) { if (e.key === "Escape") { e.target.blur(); } return; }
      const row = current();
      switch (e.key) {
        case "j": move(1); break;
        case "k": move(-1); break;
        case "Enter": if (row) location.href = row.dataset.href + "?back=" + encodeURIComponent(location.pathname + location.search); break;
        case "x": if (row) { const c = $("input.pick", row); c.checked = !c.checked; updateBulk(); } break;
        case "e": bulk("close"); break;
        case "s": $("#bulk").hidden = false; $("#bulk-snooze").focus(); break;
        case "a": $("#bulk").hidden = false; $("#bulk-assign").focus(); break;
        case "t": $("#bulk").hidden = false; $("#bulk-tag").focus(); break;
        case "/": if (q) q.focus(); break;
        case "?": showHelp(); break;
        default: return;
      }
      e.preventDefault();
    });
    let liveTimer = null;
    liveHandlers.push((m) => {
      if (m.type !== "ticket") return;
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => refresh(), 60);
    });
    root.dataset.ready = "1";
    loadCounts();
    loadTagOptions("");
  }

  /* ================================================================================= */
  /* Ticket page                                                                         */
  /* ================================================================================= */
  function initTicket(page) {
    const ticketId = Number(page.dataset.ticketId);
    const panel = $("#ticket-panel");
    const form = $("#reply-form");
    const text = $("#reply-text");
    const draftKey = "henshin:draft:" + body.dataset.workspace + ":" + me + ":" + ticketId;
    let others = [];

    async function refreshPanel() {
      const response = await fetch("/tickets/" + ticketId + "/panel", { credentials: "same-origin" });
      if (!response.ok) return;
      /* a re-render (after any change, ours or a teammate's) keeps a tag being typed */
      const typing = $("#tag-input", panel);
      const kept = typing ? typing.value : "";
      const focused = typing !== null && document.activeElement === typing;
      panel.innerHTML = await response.text();
      if (window.htmx) htmx.process(panel);
      const fresh = $("#tag-input", panel);
      if (fresh && kept) fresh.value = kept;
      if (fresh && focused) fresh.focus();
    }
    async function act(url, payload, done, failed) {
      try { await api("POST", "/api/v1/tickets/" + ticketId + url, payload); await refreshPanel(); if (done) done(); }
      catch (err) { fail(err); if (failed) failed(); }
    }

    /* drafts survive reloads and failed requests */
    function loadDraft() { try { return JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { return null; } }
    function saveDraft() {
      const old = loadDraft();
      const key = (old && old.key) || (self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
      if (text.value) localStorage.setItem(draftKey, JSON.stringify({ text: text.value, key }));
      else localStorage.removeItem(draftKey);
      $("#draft-state").textContent = text.value ? t("ticket.draft_saved") : "";
    }
    const draft = loadDraft();
    if (draft && draft.text) { text.value = draft.text; $("#draft-state").textContent = t("ticket.draft_restored"); }

    /* composer: count, compose-check hook (issue 9), suggestions hook */
    let checkAvailable = true, checkTimer = null;
    // issue 9: the guarded composer (static/composer.js) owns counting, checks, suggestions, sending
    const guarded = form.dataset.composer === "guarded";
    function countChars() { if (guarded) return; $("#char-count").textContent = t("ticket.chars", { count: Array.from(text.value).length }); }
    async function composeCheck() {
      if (guarded) return;
      if (!checkAvailable || !text.value.trim()) { $("#guard-findings").textContent = ""; return; }
      const visibility = (form.querySelector('[name="visibility"]:checked') || form.querySelector('[name="visibility"]')).value;
      try {
        const data = await api("POST", "/api/v1/tickets/" + ticketId + "/compose/check", { text: text.value, visibility });
        const box = $("#guard-findings"); box.textContent = "";
        if (data && data.measure) {
          const m = data.measure;
          let label = t("ticket.measure", { used: m.used, limit: m.limit });
          if (data.parts && data.parts.length > 1) label += " · " + t("ticket.parts", { count: data.parts.length });
          const counter = $("#char-count"); counter.textContent = label; counter.classList.toggle("error", !!m.over);
        }
        ((data && data.findings) || []).forEach((f) => {
          const p = document.createElement("p");
          p.className = "finding finding-" + (f.severity || "warn");
          p.textContent = (body.dataset.lang === "ja" ? f.message_ja : f.message_en) + (f.suggestion ? " — " + f.suggestion : "");
          box.append(p);
        });
      } catch (err) { if (err.status === 404 || err.status === 405) checkAvailable = false; }
    }
    (async function loadSuggestions() {
      if (guarded) return;
      try {
        const data = await api("GET", "/api/v1/tickets/" + ticketId + "/suggestions");
        const items = (data && data.saved_replies) || [];
        const box = $("#suggestions");
        items.slice(0, 3).forEach((s) => {
          const b = document.createElement("button"); b.type = "button"; b.className = "suggestion";
          b.textContent = s.title + " — " + s.body;
          b.addEventListener("click", () => { text.value = s.body; saveDraft(); countChars(); composeCheck(); text.focus(); });
          box.append(b);
        });
      } catch (e) { /* the suggestions endpoint is optional */ }
    })();

    /* presence: viewing heartbeats, typing, leaving */
    let lastTyping = 0;
    const beat = (state) => api("POST", "/live/presence", { ticket_id: ticketId, state }).catch(() => {});
    beat("viewing");
    setInterval(() => beat("viewing"), 10000);
    text.addEventListener("input", () => {
      saveDraft(); countChars();
      clearTimeout(checkTimer); checkTimer = setTimeout(composeCheck, 400);
      const now = Date.now();
      if (now - lastTyping > 2000) { lastTyping = now; beat("typing"); }
    });
    text.addEventListener("blur", () => { if (lastTyping) { lastTyping = 0; beat("idle"); } });
    window.addEventListener("pagehide", () => {
      const data = new FormData(); data.append("ticket_id", ticketId); data.append("state", "left"); data.append("csrf_token", csrf());
      navigator.sendBeacon("/live/presence", data);
    });
    function showPresence(viewers) {
      others = viewers.filter((v) => v.user_id !== me);
      const box = $("#presence"); box.textContent = "";
      if (!others.length) return;
      const label = document.createElement("span"); label.className = "muted"; label.textContent = t("live.viewing") + " ";
      box.append(label);
      others.forEach((v) => {
        const chip = document.createElement("span"); chip.className = "viewer" + (v.typing ? " typing" : "");
        chip.dataset.userId = v.user_id; chip.dataset.name = v.name;
        chip.textContent = v.typing ? t("live.typing", { name: v.name }) : v.name;
        box.append(chip);
      });
    }
    liveHandlers.push((m) => {
      if (m.ticket_id !== ticketId) return;
      if (m.type === "presence") showPresence(m.viewers);
      if (m.type === "ticket") {
        refreshPanel();
        if (m.actor && m.actor.type === "user" && m.actor.id !== me && m.change !== "read") toast(t("live.changed", { name: m.actor.name || "?" }));
      }
    });

    /* Collision guard: before any composer sends (this file's or composer.js), ask when a
       teammate is typing on this ticket. Document-level capture runs before the form's own
       listeners, so declining stops the send wherever it is handled. */
    function teammateTyping() { return others.filter((v) => v.typing); }
    function confirmSend() {
      const typing = teammateTyping();
      return !typing.length || window.confirm(t("live.confirm_typing", { name: typing.map((v) => v.name).join(", ") }));
    }
    const stopUnconfirmed = (e) => { if (!confirmSend()) { e.preventDefault(); e.stopImmediatePropagation(); } else { confirmedAt = Date.now(); } };
    let confirmedAt = 0;
    document.addEventListener("submit", (e) => { if (e.target === form) stopUnconfirmed(e); }, true);
    document.addEventListener("click", (e) => { if (e.target.closest && e.target.closest("#send-close")) stopUnconfirmed(e); }, true);
    document.addEventListener("keydown", (e) => { if (e.target === text && (e.ctrlKey || e.metaKey) && e.key === "Enter") stopUnconfirmed(e); }, true);
    async function sendReply(close) {
      if (guarded) return;
      if (!text.value.trim()) { text.focus(); return; }
      if (Date.now() - confirmedAt > 1000 && !confirmSend()) return;
      saveDraft();
      const visibility = (form.querySelector('[name="visibility"]:checked') || form.querySelector('[name="visibility"]')).value;
      const key = (loadDraft() || {}).key;
      try {
        await api("POST", "/api/v1/tickets/" + ticketId + "/reply", { text: text.value, visibility, close: !!close, idempotency_key: key });
      } catch (err) { fail(err); return; } // the draft stays in the box and in localStorage
      localStorage.removeItem(draftKey);
      text.value = ""; countChars(); $("#draft-state").textContent = ""; beat("idle");
      toast(t("ticket.sent"));
      if (close) { location.href = page.dataset.back; return; }
      await refreshPanel();
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); sendReply(false); });
    $("#send-close").addEventListener("click", () => sendReply(true));
    $("#note-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const note = $("#note-text");
      if (!note.value.trim()) return;
      await act("/notes", { text: note.value }, () => { note.value = ""; });
    });

    /* sidebar actions (delegated: the panel is re-rendered after each change) */
    panel.addEventListener("click", (e) => {
      const el = e.target.closest("[data-action]");
      if (!el || el.tagName === "SELECT") return;
      const action = el.dataset.action;
      if (action === "close") act("/close", undefined, () => { toast(t("ticket.closed_done"), { undo: () => act("/reopen") }); });
      if (action === "reopen") act("/reopen");
      if (action === "untag") act("/untag", { tags: [el.dataset.tag] });
      if (action === "snooze-custom") {
        const input = $("#snooze-at"); if (!input.value) { input.focus(); return; }
        const offset = input.dataset.zoneOffset || "+0000";
        act("/snooze", { until: input.value + ":00" + offset.slice(0, 3) + ":" + offset.slice(3) });
      }
    });
    panel.addEventListener("change", (e) => {
      const el = e.target.closest("select[data-action]");
      if (!el) return;
      const action = el.dataset.action;
      if (action === "assign") {
        if (!el.value) act("/unassign");
        else { const [type, id] = el.value.split(":"); act("/assign", type === "user" ? { user_id: Number(id) } : { team_id: Number(id) }); }
      }
      if (action === "priority") act("/priority", { priority: el.value });
      if (action === "snooze") {
        if (el.value === "custom") { $("#snooze-custom").hidden = false; $("#snooze-at").focus(); }
        else if (el.value) act("/snooze", { until: el.value }, () => { location.href = page.dataset.back; });
      }
    });
    panel.addEventListener("keydown", (e) => {
      if (e.target.id === "tag-input" && e.key === "Enter") {
        e.preventDefault();
        const value = e.target.value.trim();
        if (!value) return;
        e.target.value = "";  /* sent: a refresh must not bring it back; a refusal does */
        act("/tags", { tags: [value] }, () => { const i = $("#tag-input"); if (i) i.focus(); },
            () => { const i = $("#tag-input"); if (i && !i.value) i.value = value; });
      }
    });
    panel.addEventListener("input", (e) => { if (e.target.id === "tag-input") loadTagOptions(e.target.value); });

    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (typingInField(e)) { if (e.key === "Escape") e.target.blur(); return; }
      switch (e.key) {
        case "r": text.focus(); break;
        case "e": { const b = $('[data-action="close"]', panel); if (b) act("/close", undefined, () => { location.href = page.dataset.back; }); break; }
        case "s": $("#snooze-select").focus(); break;
        case "a": $("#assign-select").focus(); break;
        case "t": $("#tag-input").focus(); break;
        case "u": case "Escape": location.href = page.dataset.back; break;
        case "?": showHelp(); break;
        default: return;
      }
      e.preventDefault();
    });
    countChars();
    api("POST", "/api/v1/tickets/" + ticketId + "/read").catch(() => {});
    page.dataset.ready = "1";
    loadTagOptions("");
  }

  async function loadTagOptions(prefix) {
    const box = $("#tag-options");
    if (!box) return;
    try {
      const data = await (await fetch("/inbox/tags?prefix=" + encodeURIComponent(prefix), { credentials: "same-origin" })).json();
      box.textContent = "";
      data.tags.forEach((name) => { const o = document.createElement("option"); o.value = name; box.append(o); });
    } catch (e) { /* autocomplete is a nicety */ }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const inbox = $(".inbox"); if (inbox) initInbox(inbox);
    const ticket = $("#ticket-page"); if (ticket) initTicket(ticket);
    startLive();
  });
  window.henshin = { api, toast, t };
})();
