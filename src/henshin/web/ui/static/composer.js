/* henshin composer (issue 9): the reply box on a ticket, guarded.
   - counts as the network counts (POST /api/v1/tickets/{id}/compose/check, debounced)
   - shows guard findings in the page language, with "send as DM instead" and
     "send anyway, because…" (a reason per blocking finding)
   - previews a split thread (「(続きます)」) and asks for confirmation above 3 posts
   - suggests saved replies and KB articles; a click inserts them with variables filled
   - drafts with AI in a tone and language; shows the Messenger/Instagram window
   - sends through /send and offers Undo until the undo window closes.
   henshin.js owns drafts (localStorage), presence and the sidebar; it leaves the
   composer alone when the form carries data-composer="guarded". */
(function () {
  "use strict";
  const $ = (sel, root) => (root || document).querySelector(sel);

  function init() {
    const root = $("#composer");
    const form = $("#reply-form");
    const text = $("#reply-text");
    if (!root || !form || !text || !window.henshin) return;
    const { api, toast, t } = window.henshin;
    const ticketId = Number(root.dataset.ticketId);
    const lang = document.body.dataset.lang === "ja" ? "ja" : "en";
    const base = "/api/v1/tickets/" + ticketId;
    form.dataset.composer = "guarded";

    let last = null;          // the latest compose/check answer
    let checkedText = null;   // the text (and visibility) it answered
    let timer = null;
    let inFlight = 0;
    let sendKey = null;       // kept across retries of the same reply: nothing is sent twice
    const reasons = {};       // finding code -> the agent's reason to send anyway

    const visibility = () => {
      const el = form.querySelector('[name="visibility"]:checked') || form.querySelector('[name="visibility"]');
      return el ? el.value : null;
    };
    const el = (tag, cls, content) => {
      const node = document.createElement(tag);
      if (cls) node.className = cls;
      if (content !== undefined) node.textContent = content;
      return node;
    };
    const changed = () => text.dispatchEvent(new Event("input", { bubbles: true }));

    /* ---- check -------------------------------------------------------------------- */
    function schedule() {
      clearTimeout(timer);
      sendKey = null;
      timer = setTimeout(check, 300);
    }
    async function check() {
      const body = text.value;
      const key = body + "\u0000" + visibility();
      if (!body.trim()) { last = null; checkedText = key; show(null); return last; }
      if (key === checkedText && last) return last;
      const mine = ++inFlight;
      root.dataset.checking = "1";
      try {
        const data = await api("POST", base + "/compose/check", { text: body, visibility: visibility() });
        if (mine !== inFlight) return last; // a newer keystroke's answer wins
        last = data; checkedText = key;
        show(data);
        return data;
      } catch (err) {
        if (mine === inFlight) $("#composer-unit").textContent = err.message;
        return null;
      } finally {
        if (mine === inFlight) delete root.dataset.checking;
      }
    }

    function show(data) {
      const measure = $("#char-count");
      const unit = $("#composer-unit");
      const findings = $("#guard-findings");
      const parts = $("#composer-parts");
      findings.textContent = "";
      if (!data) {
        measure.textContent = ""; unit.textContent = t("ticket.composer.count_idle");
        measure.dataset.state = "idle";
        parts.hidden = true; $("#composer-adds").textContent = "";
        root.dataset.blocked = "0";
        return;
      }
      const m = data.measure;
      measure.textContent = m.used + " / " + m.limit;
      unit.textContent = t("ticket.composer.unit." + m.unit);
      measure.dataset.state = m.over ? "over" : m.remaining < m.limit * 0.1 ? "near" : "ok";
      const adds = [data.handle, data.prefix, data.signature].filter(Boolean);
      $("#composer-adds").textContent = adds.length ? t("ticket.composer.adds", { parts: adds.join(" · ") }) : "";
      // the split preview
      const list = $("#composer-parts-list"); list.textContent = "";
      if (data.parts.length > 1 || data.split_error) {
        parts.hidden = false;
        $("#composer-parts-title").textContent = data.split_error ? data.split_error : t("ticket.composer.parts", { count: data.parts.length });
        data.parts.forEach((p) => list.append(el("li", "part", p)));
        $("#composer-confirm-row").hidden = !data.needs_confirmation;
        $("#composer-confirm-label").textContent = t("ticket.composer.confirm_parts", { count: data.parts.length });
      } else { parts.hidden = true; }
      // the messaging window (Messenger / Instagram DMs)
      const win = $("#composer-window");
      if (data.messaging_window) {
        const w = data.messaging_window;
        win.hidden = false;
        win.className = "window-notice " + (w.open ? "window-open" : "window-closed");
        const closes = w.closes_at ? new Date(w.closes_at).toLocaleString(lang === "ja" ? "ja-JP" : "en-GB") : "";
        win.textContent = (w.open ? t("ticket.composer.window_open", { at: closes }) : t("ticket.composer.window_closed")) +
          (w.explanation ? " — " + w.explanation : "");
      } else { win.hidden = true; }
      // guard findings, each explained; block findings need a reason or a change
      data.findings.forEach((f) => findings.append(findingBox(f)));
      root.dataset.blocked = blockingCodes().length ? "1" : "0";
      root.dataset.findings = data.findings.map((f) => f.code).join(" ");
    }

    function findingBox(f) {
      const box = el("div", "finding finding-" + f.severity);
      box.dataset.code = f.code;
      const head = el("p", "finding-message");
      head.append(el("strong", "", f.severity === "block" ? t("ticket.composer.blocked") + " " : t("ticket.composer.warning") + " "));
      head.append(document.createTextNode(lang === "ja" ? f.message_ja : f.message_en));
      box.append(head);
      if (f.spans && f.spans.length) {
        const spans = el("p", "small muted");
        spans.textContent = t("ticket.composer.found") + " " + f.spans.map((s) => "「" + s.text + "」").join(" ");
        box.append(spans);
      }
      (f.evidence || []).slice(0, 3).forEach((item) => box.append(el("blockquote", "evidence", item)));
      const actions = el("div", "finding-actions");
      if (f.suggestion === "move_to_private" && form.querySelector('[name="visibility"][value="private"]')) {
        const dm = el("button", "", t("ticket.composer.move_to_dm"));
        dm.type = "button"; dm.dataset.action = "move-to-dm";
        dm.addEventListener("click", () => {
          const radio = form.querySelector('[name="visibility"][value="private"]');
          radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true }));
        });
        actions.append(dm);
      }
      if (f.severity === "block" && f.overridable) {
        const label = el("label", "override");
        label.append(el("span", "", t("ticket.composer.override_reason") + " "));
        const input = el("input");
        input.type = "text"; input.maxLength = 500; input.className = "override-reason";
        input.dataset.code = f.code; input.value = reasons[f.code] || "";
        input.placeholder = t("ticket.composer.override_placeholder");
        input.addEventListener("input", () => {
          if (input.value.trim()) reasons[f.code] = input.value.trim(); else delete reasons[f.code];
          root.dataset.blocked = blockingCodes().length ? "1" : "0";
        });
        label.append(input);
        actions.append(label);
      }
      if (actions.childNodes.length) box.append(actions);
      return box;
    }
    function blockingCodes() {
      if (!last) return [];
      return last.findings.filter((f) => f.severity === "block" && !(f.overridable && reasons[f.code])).map((f) => f.code);
    }

    /* ---- suggestions ---------------------------------------------------------------- */
    function insert(snippet) {
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? text.value.length;
      if (!text.value.trim()) text.value = snippet;
      else text.value = text.value.slice(0, start) + snippet + text.value.slice(end);
      changed(); text.focus();
    }
    async function loadSuggestions() {
      const box = $("#composer-suggestions");
      try {
        const data = await api("GET", base + "/suggestions");
        box.textContent = "";
        if (!data.saved_replies.length && !data.articles.length) { box.append(el("p", "muted small", t("ticket.composer.no_suggestions"))); return; }
        data.saved_replies.forEach((s) => {
          const b = el("button", "suggestion suggestion-reply");
          b.type = "button"; b.dataset.savedReplyId = s.id;
          b.append(el("strong", "", s.title), el("span", "snippet", s.body.length > 90 ? s.body.slice(0, 90) + "…" : s.body));
          b.title = t("ticket.composer.insert");
          b.addEventListener("click", () => useSavedReply(s.id));
          box.append(b);
        });
        data.articles.forEach((a) => {
          const b = el("button", "suggestion suggestion-article");
          b.type = "button"; b.dataset.articleId = a.id;
          b.append(el("strong", "", "📄 " + a.title), el("span", "snippet", t("ticket.composer.insert_link")));
          b.addEventListener("click", () => insert(location.origin + a.public_url));
          box.append(b);
        });
      } catch (err) { box.textContent = ""; box.append(el("p", "muted small", err.message)); }
    }
    async function useSavedReply(id) {
      try {
        const data = await api("POST", "/api/v1/saved-replies/" + id + "/render?ticket_id=" + ticketId, {});
        insert(data.text);
        const missing = $("#composer-missing");
        missing.hidden = !data.missing.length;
        missing.textContent = data.missing.length ? t("ticket.composer.missing", { names: data.missing.map((n) => "{" + n + "}").join(", ") }) : "";
      } catch (err) { toast(err.message, { error: true }); }
    }

    /* ---- AI draft -------------------------------------------------------------------- */
    $("#composer-ai").addEventListener("click", async () => {
      const note = $("#composer-ai-note");
      if (text.value.trim() && !window.confirm(t("ticket.composer.ai_replace"))) return;
      note.textContent = t("ticket.composer.loading");
      try {
        const data = await api("POST", base + "/draft-ai", { tone: $("#composer-tone").value, language: $("#composer-language").value, visibility: visibility() });
        text.value = data.text; changed(); text.focus();
        const grounded = data.grounded_on.map((g) => g.title).filter(Boolean);
        note.textContent = t("ticket.composer.ai_done") + (grounded.length ? " " + t("ticket.composer.ai_grounded", { titles: grounded.join("、") }) : "") +
          (data.generator_error ? " (" + data.generator_error + ")" : "");
        const missing = $("#composer-missing");
        missing.hidden = !data.missing_variables.length;
        missing.textContent = data.missing_variables.length ? t("ticket.composer.missing", { names: data.missing_variables.map((n) => "{" + n + "}").join(", ") }) : "";
      } catch (err) { note.textContent = err.message; }
    });

    /* ---- send, undo -------------------------------------------------------------------- */
    async function send(close) {
      if (!text.value.trim()) { text.focus(); return; }
      // A debounced check still pending from the last keystrokes would supersede this one
      // and leave the click doing nothing: cancel it, and ask again if one was in flight.
      clearTimeout(timer);
      let data = await check();
      if (!data && text.value.trim()) data = await check();
      if (!data) { text.focus(); return; } // the reason is shown under the text box
      const blocking = blockingCodes();
      if (blocking.length) {
        toast(t("ticket.composer.still_blocked"), { error: true });
        const input = $("#guard-findings .override-reason"); if (input) input.focus();
        return;
      }
      if (data.needs_confirmation && !$("#composer-confirm").checked) {
        toast(t("ticket.composer.confirm_first", { count: data.parts.length }), { error: true });
        $("#composer-confirm").focus();
        return;
      }
      // someone else is typing a reply to this ticket right now (presence, henshin.js)
      const typing = Array.from(document.querySelectorAll("#presence .viewer.typing")).map((v) => v.dataset.name || v.textContent);
      if (typing.length && !window.confirm(t("live.confirm_typing", { name: typing.join(", ") }))) return;
      const overrides = {};
      data.findings.forEach((f) => { if (f.severity === "block" && reasons[f.code]) overrides[f.code] = reasons[f.code]; });
      sendKey = sendKey || (self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
      const sentText = text.value, sentVisibility = visibility();
      let result;
      try {
        result = await api("POST", base + "/send", {
          text: sentText, visibility: sentVisibility, overrides, confirm_parts: !!data.needs_confirmation,
          send_key: sendKey, close: !!close,
        });
      } catch (err) { toast(err.message, { error: true }); return; } // the text stays
      sendKey = null;
      text.value = ""; changed();
      Object.keys(reasons).forEach((k) => delete reasons[k]);
      $("#composer-missing").hidden = true;
      const seconds = Math.max(0, Math.round((new Date(result.undo_until) - Date.now()) / 1000));
      const first = result.outbound[0];
      root.dataset.lastOutbound = first ? String(first.id) : "";
      toast(t("ticket.composer.sent", { seconds }), first ? {
        undo: async () => {
          try {
            const undone = await api("POST", "/api/v1/outbound/" + first.id + "/undo");
            if (!undone.cancelled.length) { toast(t("ticket.composer.too_late"), { error: true }); return; }
            if (close) await api("POST", base + "/reopen").catch(() => {}); // "send and close", undone
            text.value = sentText; changed();
            const radio = form.querySelector('[name="visibility"][value="' + sentVisibility + '"]'); if (radio) radio.checked = true;
            toast(t("ticket.composer.undone"));
            refreshPanel();
          } catch (err) { toast(err.message, { error: true }); }
        },
      } : undefined);
      if (close) {
        // back to the inbox once the undo window has passed (Undo stays reachable until then)
        const back = ($("#ticket-page") || {}).dataset || {};
        setTimeout(() => { if (!text.value.trim()) location.href = back.back || "/inbox"; }, seconds * 1000);
      }
      refreshPanel();
    }
    async function refreshPanel() {
      const panel = $("#ticket-panel");
      const response = await fetch("/tickets/" + ticketId + "/panel", { credentials: "same-origin" });
      if (response.ok && panel) { panel.innerHTML = await response.text(); if (window.htmx) window.htmx.process(panel); }
    }

    // Capture phase: this runs before henshin.js's own handlers on the form.
    form.addEventListener("submit", (e) => { e.preventDefault(); e.stopImmediatePropagation(); send(false); }, true);
    const sendClose = $("#send-close");
    if (sendClose) sendClose.addEventListener("click", (e) => { e.preventDefault(); e.stopImmediatePropagation(); send(true); }, true);
    text.addEventListener("input", schedule);
    form.addEventListener("change", (e) => { if (e.target.name === "visibility") { checkedText = null; schedule(); } });
    text.addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); send(false); } });
    loadSuggestions();
    // henshin.js restores a saved draft on DOMContentLoaded (after this script ran)
    const kick = () => { if (text.value.trim()) schedule(); };
    if (document.readyState === "complete") kick(); else document.addEventListener("DOMContentLoaded", () => setTimeout(kick, 0));
    root.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
