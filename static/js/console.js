// The editors' console: the queue updates live; keyboard first (j/k, a, r, f, p, u).
import { connectLive } from "./live.js";
import { renderPost } from "./post.js";

const body = document.body;
const slug = body.dataset.event;
const opts = { lang: body.dataset.lang || "it", tz: body.dataset.tz || "Europe/Rome", day: body.dataset.day || "" };
const list = document.getElementById("list");
const empty = document.getElementById("empty");
const status = document.getElementById("status");
const presence = document.getElementById("presence");
const reasonOptions = document.getElementById("reason-options");
const tabs = [...document.querySelectorAll('[role="tab"]')];
const posts = new Map();
const counts = { pending: 0, approved: 0, rejected: 0 };
let view = "pending";
let selected = null; // id of the selected post

const STATUS = { live: "In diretta", syncing: "Sincronizzazione…", offline: "Connessione persa: riprovo…", reconnecting: "Riconnessione…" };

function say(text) { status.textContent = text; }

function visible() {
  const items = [...posts.values()].filter((p) => p.state === view && !p.deleted);
  // The queue is worked oldest first; decided posts show the latest decision first.
  return view === "pending"
    ? items.sort((a, b) => a.curation_id - b.curation_id)
    : items.sort((a, b) => (a.decided_at < b.decided_at ? 1 : -1)).slice(0, 200);
}

function button(label, key, action, post, extra = () => ({})) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `act act-${action}`;
  b.textContent = label;
  b.setAttribute("aria-keyshortcuts", key);
  b.addEventListener("click", () => decide(post.id, action, extra()));
  return b;
}

function controls(post) {
  const bar = document.createElement("div");
  bar.className = "controls";
  if (post.state !== "approved") bar.append(button("Approva (a)", "a", "approve", post));
  if (post.state !== "rejected") {
    const select = document.createElement("select");
    select.className = "reason";
    select.setAttribute("aria-label", "Motivo del rifiuto");
    select.append(reasonOptions.content.cloneNode(true));
    bar.append(select, button("Rifiuta (r)", "r", "reject", post, () => ({ reason: select.value })));
  }
  bar.append(button(post.featured ? "Togli evidenza (f)" : "In evidenza (f)", "f", post.featured ? "unfeature" : "feature", post));
  bar.append(button(post.pinned ? "Sblocca (p)" : "Fissa (p)", "p", post.pinned ? "unpin" : "pin", post));
  if (post.state !== "pending") bar.append(button("In attesa (u)", "u", "pending", post));
  return bar;
}

function describe(post) {
  const meta = document.createElement("p");
  meta.className = "decision";
  const parts = [];
  if (post.duplicate_of) parts.push(`Possibile duplicato del post ${post.duplicate_of}`);
  if (post.state === "rejected") parts.push(`Rifiutato: ${post.reason}`);
  if (post.decided_by) parts.push(`da ${post.decided_by}`);
  meta.textContent = parts.join(" · ");
  return meta;
}

function render() {
  const items = visible();
  if (!items.some((p) => p.id === selected)) selected = items.length ? items[0].id : null;
  list.replaceChildren(...items.map((post) => {
    const item = document.createElement("div");
    item.className = "queue-item";
    item.dataset.id = String(post.id);
    if (post.id === selected) item.setAttribute("aria-current", "true");
    item.append(renderPost(post, opts), describe(post), controls(post));
    item.addEventListener("click", () => { selected = post.id; mark(); });
    return item;
  }));
  empty.hidden = items.length > 0;
  for (const [state, n] of Object.entries(counts)) {
    document.querySelector(`[data-count="${state}"]`).textContent = String(n);
  }
}

function mark() {
  for (const item of list.children) {
    const on = Number(item.dataset.id) === selected;
    item.toggleAttribute("aria-current", on);
    if (on) item.scrollIntoView({ block: "nearest" });
  }
}

function apply(msg) {
  const before = posts.get(msg.post.id);
  if (before && !before.deleted) counts[before.state] -= 1;
  if (!msg.post.deleted) counts[msg.post.state] += 1;
  posts.set(msg.post.id, msg.post);
  render();
}

const live = connectLive("/console", slug, {
  snapshot(msg) {
    posts.clear();
    for (const post of msg.posts) posts.set(post.id, post);
    Object.assign(counts, msg.counts);
    render();
  },
  post_added: apply, post_approved: apply, post_rejected: apply, post_pending: apply,
  post_featured: apply, post_unfeatured: apply, post_pinned: apply, post_unpinned: apply,
  post_noted: apply, post_session: apply, post_deleted: apply, post_edited: apply,
}, (state, detail) => say(STATUS[state] + (detail && state === "offline" ? ` (${detail})` : "")));

live.socket.on("presence", (msg) => {
  presence.textContent = msg.editors.length ? `Editori online: ${msg.editors.join(", ")}` : "";
});

function decide(postId, action, extra = {}) {
  live.socket.timeout(5000).emit("decide", { post_id: postId, action, ...extra }, (err, reply) => {
    if (err) say("Il server non ha risposto: decisione non confermata, riprova.");
    else if (!reply.ok) say(reply.error);
  });
}

function move(step) {
  const items = visible();
  const at = items.findIndex((p) => p.id === selected);
  const next = items[Math.min(Math.max(at + step, 0), items.length - 1)];
  if (next) { selected = next.id; mark(); }
}

function selectTab(tab) {
  view = tab.dataset.state;
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
  }
  list.setAttribute("aria-labelledby", tab.id);
  selected = null;
  render();
}

tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    selectTab(next);
  });
});

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.target.closest("input, textarea, select")) return;
  const post = posts.get(selected);
  const keys = {
    j: () => move(1), k: () => move(-1),
    a: () => post && decide(post.id, "approve"),
    r: () => post && decide(post.id, "reject", { reason: list.querySelector('[aria-current] select.reason')?.value || "other" }),
    f: () => post && decide(post.id, post.featured ? "unfeature" : "feature"),
    p: () => post && decide(post.id, post.pinned ? "unpin" : "pin"),
    u: () => post && decide(post.id, "pending"),
  };
  if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
});

document.getElementById("by-url").addEventListener("submit", async (e) => {
  e.preventDefault();
  const result = document.getElementById("by-url-result");
  const url = e.target.elements.url.value;
  result.textContent = "Recupero il post…";
  const response = await fetch(`/api/events/${slug}/posts/by-url`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": body.dataset.csrf },
    body: JSON.stringify({ url }),
  });
  const reply = await response.json().catch(() => ({}));
  result.textContent = response.ok
    ? (reply.new ? "Aggiunto alla coda." : "Questo post era già nella coda.")
    : reply.error || `Errore ${response.status}`;
  if (response.ok) e.target.reset();
});
