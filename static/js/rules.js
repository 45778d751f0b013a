// The moderation rules of an event (RULES in docs/PROTOCOL.md): admins edit them and save them
// whole with PUT /api/events/SLUG/rules; editors read them.

import { lang, t } from "./i18n.js";

// Every word the page shows, in one place, in the reader's language (see i18n.js).
const T = {
  loading: t("Loading the rules…"),
  loadFailed: (why) => t("Cannot read the rules: %(why)s. Reload the page in a moment.", { why }),
  saving: t("Saving…"),
  saved: (at) => t("Rules saved at %(time)s.", { time: at }),
  saveFailed: (why) => t("Rules not saved: %(why)s", { why }),
  httpError: (status) => t("error %(status)s", { status }),
  offline: t("the server does not answer"),
  noAccounts: t("No accounts."), noWords: t("No words."), noReasons: t("No reasons."),
  yes: t("yes"), no: t("no"),
  hide: {
    hide_replies: t("Replies to other posts"),
    hide_reposts: t("Shares"),
    hide_sensitive: t("Images marked as sensitive"),
  },
  unban: t("Unblock"), unbanLabel: (handle) => t("Unblock %(handle)s", { handle }),
  banned: (handle) => t("%(handle)s blocked: save the rules to apply it.", { handle }),
  unbanned: (handle) => t("%(handle)s unblocked: save the rules to apply it.", { handle }),
  up: t("Up"), down: t("Down"), remove: t("Remove"),
  upLabel: (label) => t("Move “%(label)s” up", { label }),
  downLabel: (label) => t("Move “%(label)s” down", { label }),
  removeLabel: (label) => t("Remove the reason “%(label)s”", { label }),
  labelOf: (code) => t("Label of the reason %(code)s", { code }),
  reasonAdded: (label) => t("Reason “%(label)s” added: save the rules to apply it.", { label }),
  reasonRemoved: (label) => t("Reason “%(label)s” removed: save the rules to apply it.", { label }),
  errors: {
    handleSpaces: (n, text) => t("Line %(line)s: “%(text)s” contains spaces; write one account per line.", { line: n, text }),
    regexShape: (n) => t("Line %(line)s: write an expression between two slashes, e.g. /buy\\s+followers/i.", { line: n }),
    regexFlags: (n, flags) => t("Line %(line)s: options “%(flags)s” are not valid; use only i, m, s, x.", { line: n, flags }),
    regexInvalid: (n, text) => t("Line %(line)s: the expression %(text)s is not valid; check brackets, slashes and special characters.", { line: n, text }),
    banEmpty: t("Write the account to block."),
    banSpaces: t("An account contains no spaces."),
    banTwice: (handle) => t("%(handle)s is already blocked.", { handle }),
    reasonEmpty: (n) => t("Reason %(num)s is empty: write a label or remove it.", { num: n }),
    reasonTwice: (label) => t("Two reasons are called “%(label)s”.", { label }),
    reasonsNone: t("At least one reject reason is needed."),
    reasonNewEmpty: t("Write the label of the new reason."),
  },
};

const body = document.body;
const slug = body.dataset.event;
const me = body.dataset.user || "";
const isAdmin = body.dataset.role === "admin";
const tz = body.dataset.tz || "Europe/Rome"; // the event's zone, in the reader's language
const headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": body.dataset.csrf };
const $ = (id) => document.getElementById(id);
const status = $("rules-status");
const defaults = JSON.parse($("default-reasons").textContent || "[]");
const HIDE = ["hide_replies", "hide_reposts", "hide_sensitive"];

let banned = [];
let reasons = [];
let dirty = false;

function el(tag, classes, text) {
  const node = document.createElement(tag);
  if (classes) node.className = [].concat(classes).join(" ");
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function when(iso) {
  if (!iso) return "";
  try {
    return new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: tz }).format(new Date(iso));
  } catch { return iso; }
}

function lines(text) {
  return text.split("\n").map((line, i) => ({ n: i + 1, text: line.trim() })).filter((l) => l.text);
}

function unique(items, key = (x) => x.toLowerCase()) {
  const seen = new Set();
  return items.filter((x) => { const k = key(x); if (seen.has(k)) return false; seen.add(k); return true; });
}

function normalize(rules) {
  const r = rules && typeof rules === "object" ? rules : {};
  const list = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);
  return {
    trusted: list(r.trusted), blocked_words: list(r.blocked_words),
    hide_replies: !!r.hide_replies, hide_reposts: !!r.hide_reposts, hide_sensitive: !!r.hide_sensitive,
    banned: Array.isArray(r.banned) ? r.banned.filter((b) => b && b.handle).map((b) => ({
      handle: String(b.handle), by: b.by || "", at: b.at || "", reason: b.reason || "" })) : [],
    reasons: Array.isArray(r.reasons) && r.reasons.length
      ? r.reasons.filter((x) => x && x.code).map((x) => ({ code: String(x.code), label: String(x.label || "") })) : defaults.map((x) => ({ ...x })),
  };
}

async function api(method, data) {
  let response;
  try {
    response = await fetch(`/api/events/${slug}/rules`, data === undefined ? { headers } : { method, headers, body: JSON.stringify(data) });
  } catch {
    throw new Error(T.offline);
  }
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(payload.error || T.httpError(response.status));
    error.field = payload.field;
    throw error;
  }
  return payload;
}

// -- read-only (editors) -----------------------------------------------------------------------
function fillList(id, items, emptyText) {
  $(id).replaceChildren(...(items.length ? items.map((item) => el("li", null, item)) : [el("li", null, emptyText)]));
}

function bannedRow(b, withButton) {
  const tr = el("tr");
  const handle = el("td");
  handle.append(el("code", null, b.handle));
  tr.append(handle, el("td", null, b.reason), el("td", null, b.by), el("td", null, when(b.at)));
  if (withButton) {
    const td = el("td");
    const button = el("button", ["secondary", "small"], T.unban);
    button.type = "button";
    button.setAttribute("aria-label", T.unbanLabel(b.handle));
    button.addEventListener("click", () => unban(b.handle));
    td.append(button);
    tr.append(td);
  }
  return tr;
}

function showView(rules) {
  fillList("v-trusted-list", rules.trusted, T.noAccounts);
  fillList("v-blocked-list", rules.blocked_words, T.noWords);
  fillList("v-hide-list", HIDE.map((k) => `${T.hide[k]}: ${rules[k] ? T.yes : T.no}`), "");
  const rows = rules.banned.map((b) => bannedRow(b, false));
  if (!rows.length) {
    const tr = el("tr");
    const td = el("td", null, T.noAccounts);
    td.colSpan = 4;
    tr.append(td);
    rows.push(tr);
  }
  $("v-banned-rows").replaceChildren(...rows);
  fillList("v-reasons-list", rules.reasons.map((r) => r.label), T.noReasons);
  $("rules-view").hidden = false;
}

// -- the form (admins) ------------------------------------------------------------------------
const form = $("rules-form");

function setDirty(on) {
  dirty = on;
  if (form) $("dirty").hidden = !on;
}

function showBanned(focusIndex) {
  const rows = banned.map((b) => bannedRow(b, true));
  if (!rows.length) {
    const tr = el("tr");
    const td = el("td", null, T.noAccounts);
    td.colSpan = 5;
    tr.append(td);
    rows.push(tr);
  }
  $("banned-rows").replaceChildren(...rows);
  if (focusIndex !== undefined) {
    const buttons = $("banned-rows").querySelectorAll("button");
    (buttons[Math.min(focusIndex, buttons.length - 1)] || $("ban-handle")).focus();
  }
}

function unban(handle) {
  const index = banned.findIndex((b) => b.handle === handle);
  if (index < 0) return;
  banned.splice(index, 1);
  setDirty(true);
  showBanned(index);
  say(T.unbanned(handle));
}

function say(text) { $("save-result").textContent = text; }

function smallButton(text, label, onClick) {
  const b = el("button", ["secondary", "small"], text);
  b.type = "button";
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function showReasons(focus) {
  const rows = reasons.map((r, i) => {
    const li = el("li");
    const input = el("input");
    input.id = `reason-${i}`;
    input.value = r.label;
    input.maxLength = 80;
    input.dataset.index = String(i);
    input.setAttribute("aria-label", T.labelOf(r.code));
    input.addEventListener("input", () => { reasons[i].label = input.value; setDirty(true); });
    const up = smallButton(T.up, T.upLabel(r.label), () => moveReason(i, -1, "up"));
    up.disabled = i === 0;
    const down = smallButton(T.down, T.downLabel(r.label), () => moveReason(i, 1, "down"));
    down.disabled = i === reasons.length - 1;
    const remove = smallButton(T.remove, T.removeLabel(r.label), () => removeReason(i));
    up.dataset.role = "up";
    down.dataset.role = "down";
    remove.dataset.role = "remove";
    li.append(el("code", null, r.code), input, up, down, remove);
    return li;
  });
  $("reasons-rows").replaceChildren(...rows);
  if (focus) {
    const li = $("reasons-rows").children[focus.index];
    const target = li && (li.querySelector(`[data-role="${focus.role}"]:not(:disabled)`) || li.querySelector("input"));
    (target || $("reason-new")).focus();
  }
}

function moveReason(i, step, role) {
  const j = i + step;
  if (j < 0 || j >= reasons.length) return;
  [reasons[i], reasons[j]] = [reasons[j], reasons[i]];
  setDirty(true);
  showReasons({ index: j, role });
}

function removeReason(i) {
  const [gone] = reasons.splice(i, 1);
  setDirty(true);
  showReasons({ index: Math.min(i, reasons.length - 1), role: "remove" });
  say(T.reasonRemoved(gone.label));
}

function codeFor(label) {
  const base = label.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 34) || "motivo";
  let code = base;
  for (let n = 2; reasons.some((r) => r.code === code); n += 1) code = `${base}_${n}`;
  return code;
}

function fillForm(rules) {
  form.elements.trusted.value = rules.trusted.join("\n");
  form.elements.blocked_words.value = rules.blocked_words.join("\n");
  for (const key of HIDE) form.elements[key].checked = rules[key];
  banned = rules.banned.map((b) => ({ ...b }));
  reasons = rules.reasons.map((r) => ({ ...r }));
  showBanned();
  showReasons();
  clearErrors();
  setDirty(false);
  form.hidden = false;
}

// -- validation -------------------------------------------------------------------------------
const FIELDS = { trusted: "trusted", blocked_words: "blocked", reasons: "reason-new", banned: "ban-handle" };
const ERROR_OF = { trusted: "trusted-error", blocked: "blocked-error", "reason-new": "reasons-error", "ban-handle": "ban-error" };

function clearErrors() {
  for (const [field, errorId] of Object.entries(ERROR_OF)) {
    $(errorId).textContent = "";
    $(field).removeAttribute("aria-invalid");
  }
  for (const input of $("reasons-rows").querySelectorAll("input")) input.removeAttribute("aria-invalid");
  $("error-summary").hidden = true;
  $("error-list").replaceChildren();
}

function showErrors(errors) {
  clearErrors();
  const byField = new Map();
  for (const e of errors) byField.set(e.field, [...(byField.get(e.field) || []), e.message]);
  for (const [field, messages] of byField) {
    const target = field && $(field);
    if (!target) continue;
    target.setAttribute("aria-invalid", "true");
    const errorId = ERROR_OF[field];
    if (errorId) $(errorId).textContent = messages.join(" ");
  }
  $("error-list").replaceChildren(...errors.map((e) => {
    const li = el("li");
    if (!e.field || !$(e.field)) { li.textContent = e.message; return li; }
    const a = el("a", null, e.message);
    a.href = `#${e.field}`;
    a.addEventListener("click", (ev) => { ev.preventDefault(); $(e.field).focus(); });
    li.append(a);
    return li;
  }));
  $("error-summary").hidden = false;
  $("error-summary").focus();
}

function collect() {
  const errors = [];
  const trusted = [];
  for (const { n, text } of lines(form.elements.trusted.value)) {
    if (/\s/.test(text)) errors.push({ field: "trusted", message: T.errors.handleSpaces(n, text) });
    else trusted.push(text);
  }
  const blocked = [];
  for (const { n, text } of lines(form.elements.blocked_words.value)) {
    if (text.startsWith("/") && text.length > 1) {
      const match = /^\/(.+)\/([a-z]*)$/s.exec(text);
      if (!match) { errors.push({ field: "blocked", message: T.errors.regexShape(n) }); continue; }
      const bad = [...match[2]].filter((f) => !"imsx".includes(f));
      if (bad.length) { errors.push({ field: "blocked", message: T.errors.regexFlags(n, bad.join("")) }); continue; }
      try {
        new RegExp(match[1], match[2].replace(/x/g, "")); // eslint-disable-line no-new
      } catch {
        errors.push({ field: "blocked", message: T.errors.regexInvalid(n, text) });
        continue;
      }
    }
    blocked.push(text);
  }
  const labels = new Set();
  reasons.forEach((r, i) => {
    const label = r.label.trim();
    if (!label) {
      errors.push({ field: `reason-${i}`, message: T.errors.reasonEmpty(i + 1) });
    } else if (labels.has(label.toLowerCase())) {
      errors.push({ field: `reason-${i}`, message: T.errors.reasonTwice(label) });
    }
    labels.add(label.toLowerCase());
  });
  if (!reasons.length) errors.push({ field: "reason-new", message: T.errors.reasonsNone });
  const rules = {
    trusted: unique(trusted), blocked_words: unique(blocked),
    ...Object.fromEntries(HIDE.map((k) => [k, form.elements[k].checked])),
    banned: banned.map((b) => ({ ...b })),
    reasons: reasons.map((r) => ({ code: r.code, label: r.label.trim() })),
  };
  return { errors, rules };
}

if (form) {
  form.addEventListener("input", (e) => { if (!e.target.closest(".add-row")) setDirty(true); });
  form.addEventListener("change", (e) => { if (!e.target.closest(".add-row")) setDirty(true); });
  window.addEventListener("beforeunload", (e) => { if (dirty) e.preventDefault(); });

  $("ban-add").addEventListener("click", () => {
    const input = $("ban-handle");
    const handle = input.value.trim();
    const error = !handle ? T.errors.banEmpty : /\s/.test(handle) ? T.errors.banSpaces
      : banned.some((b) => b.handle.toLowerCase() === handle.toLowerCase()) ? T.errors.banTwice(handle) : "";
    $("ban-error").textContent = error;
    input.toggleAttribute("aria-invalid", Boolean(error));
    if (error) { input.focus(); return; }
    banned.push({ handle, reason: $("ban-reason").value.trim(), by: me, at: new Date().toISOString() });
    input.value = "";
    $("ban-reason").value = "";
    setDirty(true);
    showBanned();
    input.focus();
    say(T.banned(handle));
  });
  for (const id of ["ban-handle", "ban-reason"]) {
    $(id).addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("ban-add").click(); } });
  }

  $("reason-add").addEventListener("click", () => {
    const input = $("reason-new");
    const label = input.value.trim();
    $("reasons-error").textContent = label ? "" : T.errors.reasonNewEmpty;
    input.toggleAttribute("aria-invalid", !label);
    if (!label) { input.focus(); return; }
    reasons.push({ code: codeFor(label), label });
    input.value = "";
    setDirty(true);
    showReasons();
    input.focus();
    say(T.reasonAdded(label));
  });
  $("reason-new").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("reason-add").click(); } });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const { errors, rules } = collect();
    if (errors.length) { showErrors(errors); return; }
    clearErrors();
    say(T.saving);
    try {
      const saved = normalize(await api("PUT", rules));
      fillForm(saved);
      say(T.saved(new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: tz }).format(new Date())));
    } catch (err) {
      say("");
      showErrors([{ field: FIELDS[err.field] || null, message: T.saveFailed(err.message) }]);
    }
  });
}

async function load() {
  status.textContent = T.loading;
  try {
    const rules = normalize(await api("GET"));
    status.textContent = "";
    if (form) fillForm(rules);
    else showView(rules);
  } catch (err) {
    // Never show an empty form that could overwrite the real rules.
    status.textContent = T.loadFailed(err.message);
  }
}

if (isAdmin || $("rules-view")) load();
