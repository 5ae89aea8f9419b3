// The rule builder: a form over the rule language that writes the same JSON as the editor.
//
// Everything comes from the page's #rule-builder-data: the rule JSON Schema (condition fields
// with their operators and choices, triggers, each action's parameters), the workspace's
// channels / people / teams / shared saved replies (ids chosen by name), the translations and
// the problems of a refused save, which are shown next to the control their path names.
// The JSON editor stays as "advanced": whichever side was edited last is what is saved.
(function () {
  "use strict";
  const dataEl = document.getElementById("rule-builder-data");
  const host = document.getElementById("rule-builder");
  const textarea = document.getElementById("rule-definition");
  const data = dataEl ? JSON.parse(dataEl.textContent) : null;
  if (!data || !host || !textarea) return;

  const S = data.strings || {};
  const t = (key, fallback) => S[key] || (fallback === undefined ? key : fallback);
  const schema = data.schema;
  const FIELDS = schema["x-condition-fields"];
  const TRIGGERS = schema["x-triggers"];
  const KEYWORD_OPS = new Set(["contains_any", "contains_all", "not_contains"]);
  const FIELD_LOOKUP = { channel: "channel", assignee_user: "user", assignee_team: "team" };
  const PARAM_LOOKUP = { user_id: "user", team_id: "team", saved_reply_id: "saved_reply" };
  const MAX_GROUP_DEPTH = 3;
  const ACTIONS = {};
  const ACTION_TYPES = schema.properties.actions.items.oneOf.map((ref) => {
    const def = schema.$defs[ref.$ref.split("/").pop()];
    const type = def.properties.type.const;
    ACTIONS[type] = Object.entries(def.properties).filter(([name]) => name !== "type")
      .map(([name, prop]) => ({ name, prop, required: (def.required || []).includes(name) }));
    return type;
  });

  class Unsupported extends Error {}
  let state = null;
  let problems = (data.problems || []).slice();

  // ---- JSON <-> state -------------------------------------------------------------------
  const splitList = (text) => String(text || "").split(/[\n,、，]+/).map((s) => s.trim()).filter(Boolean);
  const group = (mode, children) => ({ kind: "group", mode, negate: false, children });

  function rawOf(field, op, value) {
    const kind = FIELDS[field].kind;
    if (KEYWORD_OPS.has(op)) return Array.isArray(value) ? value.join("\n") : String(value ?? "");
    if (op === "in" || op === "not_in") return Array.isArray(value) ? value.map(String) : [];
    if (kind === "label_set") return Array.isArray(value) ? value.join(", ") : String(value ?? "");
    if (kind === "flag") return "";
    return value === null || value === undefined ? "" : String(value);
  }

  function fromNode(node) {
    if (!node || typeof node !== "object" || Array.isArray(node)) throw new Unsupported();
    const keys = Object.keys(node);
    if (keys.length === 1 && (keys[0] === "all" || keys[0] === "any")) {
      if (!Array.isArray(node[keys[0]])) throw new Unsupported();
      return group(keys[0], node[keys[0]].map(fromNode));
    }
    if (keys.length === 1 && keys[0] === "not") {
      const inner = fromNode(node.not);
      if (inner.negate) throw new Unsupported();
      inner.negate = true;
      return inner;
    }
    const field = FIELDS[node.field];
    if (!field || !field.ops.includes(node.op) || keys.some((k) => !["field", "op", "value"].includes(k))) {
      throw new Unsupported();
    }
    return { kind: "leaf", negate: false, field: node.field, op: node.op, raw: rawOf(node.field, node.op, node.value) };
  }

  function fromAction(action) {
    if (!action || !ACTIONS[action.type]) throw new Unsupported();
    const params = {};
    for (const p of ACTIONS[action.type]) {
      const v = action[p.name];
      if (p.prop.type === "array") params[p.name] = Array.isArray(v) ? v.join("\n") : String(v ?? "");
      else if (p.prop.type === "boolean") params[p.name] = !!v;
      else params[p.name] = v === undefined || v === null ? "" : String(v);
    }
    return { type: action.type, params };
  }

  function fromRule(rule) {
    if (!rule || typeof rule !== "object" || Array.isArray(rule)) throw new Unsupported();
    const { name, trigger, idle_minutes, conditions, actions, stop_processing, ...extra } = rule;
    if ((name !== undefined && typeof name !== "string") || (trigger !== undefined && !TRIGGERS.includes(trigger))) {
      throw new Unsupported();
    }
    let root = conditions === undefined ? group("all", []) : fromNode(conditions);
    if (root.kind === "leaf") root = group("all", [root]);
    if (actions !== undefined && !Array.isArray(actions)) throw new Unsupported();
    return {
      name: name || "", trigger: trigger || "engagement_received",
      idle_minutes: idle_minutes === undefined || idle_minutes === null ? "" : String(idle_minutes),
      stop_processing: !!stop_processing, extra, root, actions: (actions || []).map(fromAction),
    };
  }

  function numberOrRaw(raw) {
    const text = String(raw).normalize("NFKC").trim();
    if (text === "") return null;
    return Number.isNaN(Number(text)) ? text : Number(text);  // the server explains a non-number
  }

  function valueOf(leaf) {
    const kind = FIELDS[leaf.field].kind;
    if (KEYWORD_OPS.has(leaf.op)) return splitList(leaf.raw);
    if (leaf.op === "matches_regex") return leaf.raw;
    if (kind === "flag") return undefined;
    if (kind === "number" || kind === "moment") return numberOrRaw(leaf.raw);
    if (kind === "label_set") return splitList(leaf.raw);
    if (leaf.op === "in" || leaf.op === "not_in") return Array.isArray(leaf.raw) ? leaf.raw : splitList(leaf.raw);
    return leaf.raw === "" ? null : leaf.raw;
  }

  function nodeJSON(node) {
    let out;
    if (node.kind === "group") out = { [node.mode]: node.children.map(nodeJSON) };
    else {
      out = { field: node.field, op: node.op };
      const value = valueOf(node);
      if (value !== undefined) out.value = value;
    }
    return node.negate ? { not: out } : out;
  }

  function actionJSON(action) {
    const out = { type: action.type };
    for (const p of ACTIONS[action.type]) {
      const raw = action.params[p.name];
      if (p.prop.type === "boolean") out[p.name] = !!raw;
      else if (raw === undefined || raw === "") continue;  // the server says "is required"
      else if (p.prop.type === "array") out[p.name] = splitList(raw);
      else if (p.prop.type === "integer" || PARAM_LOOKUP[p.name]) out[p.name] = numberOrRaw(raw);
      else out[p.name] = raw;
    }
    return out;
  }

  function ruleJSON() {
    const out = { name: state.name, trigger: state.trigger };
    if (state.trigger === "ticket_idle") out.idle_minutes = numberOrRaw(state.idle_minutes);
    out.conditions = nodeJSON(state.root);
    out.actions = state.actions.map(actionJSON);
    out.stop_processing = state.stop_processing;
    return Object.assign(out, state.extra);
  }

  // ---- rendering ------------------------------------------------------------------------
  const idOf = (path, part) => "rb-" + (path + (part ? "-" + part : "")).replace(/[^A-Za-z0-9]+/g, "-");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function labelled(text, control, extraClass) {
    return el("div", { class: "rb-control" + (extraClass ? " " + extraClass : "") },
      el("label", { for: control.id }, text), control);
  }

  function select(id, path, options, value, onchange) {
    return el("select", { id, dataset: { path }, onchange },
      options.map(([v, text]) => el("option", { value: v, selected: String(v) === String(value) }, text)));
  }

  function input(id, path, value, oninput, attrs) {
    return el("input", Object.assign({ id, type: "text", value, dataset: { path }, oninput }, attrs || {}));
  }

  const fieldLabel = (name) => t("rules.field." + name, name);
  const valueLabel = (value) => t("rules.value." + value, value);

  function choicesFor(field) {
    const f = FIELDS[field];
    if (f.choices) return f.choices.map((c) => [c, valueLabel(c)]);
    const lookup = FIELD_LOOKUP[field];
    return lookup ? data.lookups[lookup].map(([id, name]) => [String(id), name]) : null;
  }

  function valueControl(leaf, path) {
    const f = FIELDS[leaf.field];
    const id = idOf(path, "value");
    const vpath = path + ".value";
    const changed = (raw) => { leaf.raw = raw; edited(vpath); };
    if (KEYWORD_OPS.has(leaf.op)) {
      const box = labelled(t("rules.b.keywords"), el("textarea", {
        id, rows: 3, dataset: { path: vpath }, "aria-describedby": id + "-hint",
        oninput: (e) => changed(e.target.value),
      }, leaf.raw), "rb-value");
      box.append(el("small", { class: "hint", id: id + "-hint" }, t("rules.b.keywords_hint")));
      return box;
    }
    if (f.kind === "flag") return el("span", { class: "rb-value muted" }, t("rules.b.no_value"));
    const choices = choicesFor(leaf.field);
    if (leaf.op === "in" || leaf.op === "not_in") {
      if (choices) {
        const chosen = new Set(Array.isArray(leaf.raw) ? leaf.raw : splitList(leaf.raw));
        return el("fieldset", { class: "rb-value rb-checks", id, dataset: { path: vpath } },
          el("legend", {}, t("rules.b.values")),
          choices.map(([v, text]) => el("label", {}, el("input", {
            type: "checkbox", value: v, checked: chosen.has(v),
            onchange: (e) => { e.target.checked ? chosen.add(v) : chosen.delete(v); changed([...chosen]); },
          }), " " + text)));
      }
      return labelled(t("rules.b.values"), input(id, vpath, Array.isArray(leaf.raw) ? leaf.raw.join(", ") : leaf.raw,
        (e) => changed(e.target.value)), "rb-value");
    }
    if (choices && f.kind !== "label_set") {
      const mayBeNull = f.nullable && (leaf.op === "eq" || leaf.op === "ne");
      const options = [["", mayBeNull ? t("rules.b.none_value") : "—"]];
      return labelled(t("rules.b.value"), select(id, vpath, options.concat(choices), leaf.raw,
        (e) => changed(e.target.value)), "rb-value");
    }
    const numeric = f.kind === "number" || f.kind === "moment";
    const label = f.kind === "moment" ? t("rules.b.minutes") : (f.kind === "label_set" ? t("rules.b.values") : t("rules.b.value"));
    return labelled(label, input(id, vpath, leaf.raw, (e) => changed(e.target.value),
      numeric ? { inputmode: "decimal" } : {}), "rb-value");
  }

  function leafRow(leaf, path, parent, index) {
    const inner = leaf.negate ? path + ".not" : path;
    const fieldSel = select(idOf(path, "field"), inner + ".field",
      Object.keys(FIELDS).map((name) => [name, fieldLabel(name)]), leaf.field, (e) => {
        leaf.field = e.target.value;
        const ops = FIELDS[leaf.field].ops;
        if (!ops.includes(leaf.op)) leaf.op = ops[0];
        leaf.raw = leaf.op === "in" || leaf.op === "not_in" ? [] : "";
        structural(idOf(path, "field"));
      });
    const opSel = select(idOf(path, "op"), inner + ".op",
      FIELDS[leaf.field].ops.map((op) => [op, t("rules.op." + op, op)]), leaf.op, (e) => {
        const was = leaf.op;
        leaf.op = e.target.value;
        const listy = (op) => op === "in" || op === "not_in";
        if (listy(was) !== listy(leaf.op) || KEYWORD_OPS.has(was) !== KEYWORD_OPS.has(leaf.op)) {
          leaf.raw = listy(leaf.op) ? [] : "";
        }
        structural(idOf(path, "op"));
      });
    const negate = el("input", { type: "checkbox", id: idOf(path, "not"), checked: leaf.negate,
      onchange: (e) => { leaf.negate = e.target.checked; structural(idOf(path, "not")); } });
    return el("li", { class: "rb-row", dataset: { path: inner } },
      el("div", { class: "rb-control rb-not" }, negate, el("label", { for: negate.id }, t("rules.b.not"))),
      labelled(t("rules.b.field"), fieldSel), labelled(t("rules.b.op"), opSel),
      valueControl(leaf, inner),
      el("button", { type: "button", class: "linklike danger rb-remove",
        "aria-label": t("rules.b.remove_condition") + " " + (index + 1),
        onclick: () => { parent.children.splice(index, 1); structural(idOf(parent.path, "add")); } }, "✕"));
  }

  function groupBox(node, path, depth, parent, index) {
    node.path = path;
    const inner = node.negate ? path + ".not" : path;
    const mode = select(idOf(path, "mode"), inner, [["all", t("rules.b.all")], ["any", t("rules.b.any")]],
      node.mode, (e) => { node.mode = e.target.value; structural(idOf(path, "mode")); });
    const negate = el("input", { type: "checkbox", id: idOf(path, "not"), checked: node.negate,
      onchange: (e) => { node.negate = e.target.checked; structural(idOf(path, "not")); } });
    const children = node.children.map((child, i) => {
      const childPath = inner + "." + node.mode + "[" + i + "]";
      return child.kind === "group" ? el("li", {}, groupBox(child, childPath, depth + 1, node, i))
        : leafRow(child, childPath, node, i);
    });
    const addLeaf = () => {
      node.children.push({ kind: "leaf", negate: false, field: "text", op: "contains_any", raw: "" });
      const i = node.children.length - 1;
      structural(idOf(inner + "." + node.mode + "[" + i + "]", "field"));
    };
    const addGroup = () => {
      node.children.push(group(node.mode === "all" ? "any" : "all",
        [{ kind: "leaf", negate: false, field: "text", op: "contains_any", raw: "" }]));
      structural(idOf(inner + "." + node.mode + "[" + (node.children.length - 1) + "]", "mode"));
    };
    return el("fieldset", { class: "rb-group depth-" + depth },
      el("legend", {}, depth === 0 ? t("rules.b.conditions") : t("rules.b.group")),
      el("div", { class: "rb-group-head" },
        labelled(t("rules.b.match"), mode),
        el("div", { class: "rb-control rb-not" }, negate, el("label", { for: negate.id }, t("rules.b.not_group"))),
        parent ? el("button", { type: "button", class: "linklike danger",
          onclick: () => { parent.children.splice(index, 1); structural(idOf(parent.path, "add")); } },
        t("rules.b.remove_group")) : null),
      children.length ? el("ol", { class: "rb-children" }, children)
        : el("p", { class: "muted" }, t("rules.b.empty_group")),
      el("div", { class: "buttons" },
        el("button", { type: "button", id: idOf(path, "add"), onclick: addLeaf }, t("rules.b.add_condition")),
        depth < MAX_GROUP_DEPTH ? el("button", { type: "button", onclick: addGroup }, t("rules.b.add_group")) : null));
  }

  function paramControl(action, p, path) {
    const id = idOf(path, p.name);
    const ppath = path + "." + p.name;
    const label = t("rules.param." + p.name, p.name) + (p.required ? " *" : "");
    const changed = (v) => { action.params[p.name] = v; edited(ppath); };
    const raw = action.params[p.name] ?? "";
    if (p.prop.type === "boolean") {
      return el("div", { class: "rb-control rb-not" },
        el("input", { type: "checkbox", id, checked: !!raw, dataset: { path: ppath }, onchange: (e) => changed(e.target.checked) }),
        el("label", { for: id }, label));
    }
    if (p.prop.enum || PARAM_LOOKUP[p.name]) {
      const options = p.prop.enum ? p.prop.enum.map((v) => [v, valueLabel(v)])
        : data.lookups[PARAM_LOOKUP[p.name]].map(([v, name]) => [String(v), name]);
      return labelled(label, select(id, ppath, [["", "—"]].concat(options), raw, (e) => changed(e.target.value)));
    }
    if (p.prop.type === "array" || (p.prop.maxLength || 0) > 300) {
      return labelled(label, el("textarea", { id, rows: 2, dataset: { path: ppath }, oninput: (e) => changed(e.target.value) }, raw));
    }
    return labelled(label, input(id, ppath, raw, (e) => changed(e.target.value),
      p.prop.type === "integer" ? { inputmode: "numeric" } : {}));
  }

  function actionRow(action, index) {
    const path = "actions[" + index + "]";
    const type = select(idOf(path, "type"), path + ".type",
      ACTION_TYPES.map((name) => [name, t("rules.action." + name, name)]), action.type, (e) => {
        action.type = e.target.value;
        action.params = {};
        structural(idOf(path, "type"));
      });
    return el("li", { class: "rb-action", dataset: { path } },
      labelled(t("rules.b.action"), type),
      ACTIONS[action.type].map((p) => paramControl(action, p, path)),
      el("button", { type: "button", class: "linklike danger rb-remove",
        "aria-label": t("rules.b.remove_action") + " " + (index + 1),
        onclick: () => { state.actions.splice(index, 1); structural("rb-add-action"); } }, "✕"));
  }

  function render(focusId) {
    const trigger = select("rb-trigger", "trigger", TRIGGERS.map((name) => [name, t("rules.trigger." + name, name)]),
      state.trigger, (e) => { state.trigger = e.target.value; structural("rb-trigger"); });
    const stop = el("input", { type: "checkbox", id: "rb-stop", checked: state.stop_processing, dataset: { path: "stop_processing" },
      onchange: (e) => { state.stop_processing = e.target.checked; edited("stop_processing"); } });
    host.replaceChildren(
      el("div", { class: "rb-top" },
        labelled(t("rules.name"), input("rb-name", "name", state.name, (e) => { state.name = e.target.value; edited("name"); })),
        labelled(t("rules.trigger"), trigger),
        state.trigger === "ticket_idle" ? labelled(t("rules.b.idle_minutes"), input("rb-idle", "idle_minutes", state.idle_minutes,
          (e) => { state.idle_minutes = e.target.value; edited("idle_minutes"); }, { inputmode: "numeric" })) : null),
      groupBox(state.root, "conditions", 0, null, 0),
      el("fieldset", { class: "rb-actions", dataset: { path: "actions" } },
        el("legend", {}, t("rules.actions")),
        state.actions.length ? el("ol", {}, state.actions.map(actionRow)) : null,
        el("button", { type: "button", id: "rb-add-action", onclick: () => {
          state.actions.push({ type: "tag", params: {} });
          structural(idOf("actions[" + (state.actions.length - 1) + "]", "type"));
        } }, t("rules.b.add_action"))),
      el("div", { class: "rb-control rb-not" }, stop, el("label", { for: "rb-stop" }, t("rules.b.stop_processing"))));
    showProblems();
    host.dataset.ready = "1";
    if (focusId) document.getElementById(focusId)?.focus();
  }

  // ---- problems from the server, next to the control their path names ---------------------
  function showProblems() {
    for (const old of host.querySelectorAll(".rb-error")) old.remove();
    for (const old of host.querySelectorAll("[aria-invalid]")) old.removeAttribute("aria-invalid");
    problems.forEach((problem, i) => {
      let path = problem.path || "";
      let target = null;
      while (path && !(target = host.querySelector('[data-path="' + CSS.escape(path) + '"]'))) {
        path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
      }
      const note = el("p", { class: "field-error rb-error", id: "rb-problem-" + i, role: "alert" }, problem.message);
      if (!target) { host.prepend(note); return; }
      if (target.matches("input, select, textarea, fieldset.rb-checks")) {
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("aria-describedby", note.id);
        (target.closest(".rb-control") || target).after(note);
      } else {
        target.append(note);
      }
    });
  }

  // ---- keeping the JSON editor in step ------------------------------------------------------
  const jsonState = document.getElementById("rule-json-state");
  const say = (key) => { if (jsonState) jsonState.textContent = t(key); };

  function writeJSON() {
    textarea.value = JSON.stringify(ruleJSON(), null, 2);
    say("rules.b.in_sync");
  }

  function edited(path) {
    const before = problems.length;
    problems = problems.filter((p) => !(p.path || "").startsWith(path));
    if (problems.length !== before) showProblems();
    writeJSON();
  }

  function structural(focusId) {
    problems = [];
    render(focusId);
    writeJSON();
  }

  function readJSON() {
    try {
      state = fromRule(JSON.parse(textarea.value));
    } catch (error) {
      host.inert = true;
      host.classList.add("stale");
      say(error instanceof Unsupported ? "rules.b.json_unsupported" : "rules.b.json_invalid");
      return false;
    }
    host.inert = false;
    host.classList.remove("stale");
    render();
    say("rules.b.in_sync");
    return true;
  }

  let timer = null;
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(readJSON, 250);
  });
  if (readJSON()) document.getElementById("rule-json").open = false;

  // ---- dry run: what the rule in the editor would have done over the last N days -----------
  document.getElementById("dry-run")?.addEventListener("click", async () => {
    const out = document.getElementById("dry-run-result");
    let rule;
    try { rule = JSON.parse(textarea.value); } catch (e) { out.textContent = e.message; return; }
    const days = Number(document.getElementById("dry-run-days").value || 7);
    const response = await fetch("/api/v1/rules/dry-run", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json",
        "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
      body: JSON.stringify({ rule, days }),
    });
    const body = await response.json();
    out.replaceChildren();
    if (!response.ok) {
      problems = body.error.details || [{ path: "", message: body.error.message }];
      showProblems();
      const list = el("ul", {}, problems.map((d) => el("li", {}, (d.path || "—") + ": " + d.message)));
      out.append(list);
      return;
    }
    out.append(el("p", {}, t("rules.b.dry_run_result").replace("{matched}", body.matched).replace("{evaluated}", body.evaluated)));
    for (const m of body.matches) {
      out.append(el("details", {}, el("summary", {}, "#" + m.ticket_id + " " + m.text),
        el("pre", {}, [...m.why, "→ " + m.would.join("; ")].join("\n"))));
    }
  });
})();
