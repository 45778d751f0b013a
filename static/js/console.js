// The editors' console: a compact queue that updates live and is worked from the keyboard;
// filters, bulk decisions, undo, what the other editors are looking at, the wall's controls.
// The contract with the server is docs/PROTOCOL.md (namespace `/console`).
import { formatNumber, lang, t, tn } from "./i18n.js";
import { connectLive } from "./live.js";
import { formatPostTime, renderPost, safeUrl } from "./post.js";

// The console's words, in the reader's language (static/js/i18n.js; Italian in the catalog).
// Protocol names (actions, states, change kinds) stay as they are: only what people read is here.
const T = {
  status: {
    live: t("Live"), syncing: t("Syncing…"), offline: t("Connection lost: retrying…"),
    reconnecting: t("Reconnecting…"),
  },
  platforms: { mastodon: "Mastodon", bluesky: "Bluesky", x: "X", rss: "RSS" },
  states: { pending: t("pending"), approved: t("approved"), rejected: t("rejected") },
  done: {
    approve: (post) => t("Approved: %(post)s", { post }),
    reject: (post, reason) => t("Rejected (%(reason)s): %(post)s", { post, reason }),
    pending: (post) => t("Back in the queue: %(post)s", { post }),
    feature: (post) => t("Featured on the wall: %(post)s", { post }),
    unfeature: (post) => t("No longer featured: %(post)s", { post }),
    pin: (post) => t("Pinned to the top: %(post)s", { post }),
    unpin: (post) => t("No longer pinned: %(post)s", { post }),
    note: (post) => t("Note saved: %(post)s", { post }),
    unnote: (post) => t("Note removed: %(post)s", { post }),
    session: (post, session) => t("Linked to the session “%(session)s”: %(post)s", { post, session }),
    unsession: (post) => t("Taken out of its session: %(post)s", { post }),
  },
  undone: {
    approve: t("approval"), reject: t("rejection"), pending: t("return to the queue"),
    feature: t("featuring"), unfeature: t("removal from the spotlight"), pin: t("pinning"),
    unpin: t("unpinning"), note: t("note"), session: t("session"),
  },
  gone: {
    approved: (name) => t("%(name)s approved the post you had selected.", { name }),
    rejected: (name) => t("%(name)s rejected the post you had selected.", { name }),
    pending: (name) => t("%(name)s put the post you had selected back in the queue.", { name }),
    other: (name) => t("%(name)s decided on the post you had selected.", { name }),
  },
  otherReason: t("Other"),
  markers: {
    reply: t("Reply"), quote: t("Quote"), sensitive: t("Sensitive"), duplicate: t("Possible duplicate"),
    noAlt: t("Image without description"), featured: t("Featured"), pinned: t("Pinned"),
    repost: t("Repost"), repostBy: (name) => t("Reposted by %(name)s", { name }),
    hold: (why) => t("Held: %(why)s", { why }),
    note: (text) => t("Note: %(text)s", { text }), session: (title) => t("Session: %(title)s", { title }),
  },
  blockedWord: (word) => t("Blocked word: “%(word)s”", { word }),
  decided: (state, reason, name, time) => {
    if (state === "rejected") {
      return name ? t("Rejected: %(reason)s, by %(name)s at %(time)s", { reason, name, time })
        : t("Rejected: %(reason)s, at %(time)s", { reason, time });
    }
    return name ? t("Approved by %(name)s at %(time)s", { name, time }) : t("Approved at %(time)s", { time });
  },
  watching: (names) => tn("%(names)s is watching", "%(names)s are watching", names.length, { names: listOf(names) }),
  presence: (names) => t("Online: %(names)s", { names: names.join(", ") }),
  you: t("you"),
  someone: t("Someone"),
  quoted: (name, words) => t("%(name)s — “%(words)s”", { name, words }),
  markLabel: t("Select for an action on several posts"),
  selectedCount: (n) => tn("%(num)s post selected", "%(num)s posts selected", n),
  shown: (n, total) => t("%(shown)s of %(total)s", { shown: formatNumber(n), total: formatNumber(total) }),
  all: { platform: t("All platforms"), account: t("All accounts"), session: t("All sessions") },
  noSession: t("Without a session"),
  noneSession: t("No session"),
  nothingSelected: t("No post selected."),
  empty: t("No posts in this list."),
  emptyFiltered: t("No posts match the filters. Esc clears them."),
  facts: {
    state: t("State"), arrived: t("Arrived"), decided: t("Decided"), reason: t("Reason"), note: t("Note"),
    session: t("Session"), duplicate: t("Duplicate"), hold: t("Held"), original: t("Original"),
    duplicateOf: (id) => t("possible duplicate of post %(id)s", { id }), open: t("open on the platform ↗"),
    by: (name, time) => (time ? `${name}, ${time}` : name),
  },
  buttons: { feature: t("Feature"), unfeature: t("Unfeature"), pin: t("Pin to top"), unpin: t("Unpin") },
  reasonKeys: (n) => (n > 1 ? t("(keys 1–%(last)s, then Enter)", { last: n }) : t("(Enter confirms)")),
  reasonKeys10: t("(keys 1–9 and 0, then Enter)"),
  rejectTitle: (n) => tn("Reject the post", "Reject %(num)s posts", n),
  bulkApproved: (n) => tn("Approved %(num)s post.", "Approved %(num)s posts.", n),
  bulkRejected: (n, reason) => tn("Rejected %(num)s post (%(reason)s).", "Rejected %(num)s posts (%(reason)s).", n, { reason }),
  unchanged: t("Nothing changed: it was already so."),
  undoneMsg: (what, post) => t("Undid your last decision (%(what)s): %(post)s", { what, post }),
  undoneSome: t("Undid your last decision."),
  nothingMarked: t("No posts selected for a bulk action: press x on the posts to include."),
  marksCleared: t("Selection cleared."),
  filtersCleared: t("Filters cleared."),
  goneDeleted: t("The selected post was deleted by its author."),
  goneErased: t("The selected post was erased: its author asked to be removed from the event."),
  rejectCancelled: (name) => t("%(name)s has just decided on this post: your rejection was not sent.", { name }),
  notConnected: t("You are not connected: the action was not sent. Try again when the status says “Live”."),
  noReply: t("The server did not answer: the action may not have been recorded. Try again."),
  badReply: t("Invalid answer from the server."),
  failed: (error) => t("Failed: %(error)s", { error }),
  tab: (name) => t("Tab: %(name)s", { name }),
  wall: {
    layouts: { grid: t("Grid"), column: t("Column"), spotlight: t("Spotlight") },
    themes: { dark: t("Dark"), light: t("Light"), contrast: t("High contrast") },
    pause: t("Pause the wall"), resume: t("Resume the wall"),
    blank: t("Blank the wall"), unblank: t("Show the wall again"),
    paused: t("PAUSED"), blanked: t("BLANKED"), messageOn: t("MESSAGE ON SCREEN"), onAir: t("on air"),
    announcements: (n) => tn("%(num)s announcement", "%(num)s announcements", n),
    nowShowing: (text) => t("On the wall now: “%(text)s”", { text }), noMessage: t("No message on the wall."),
    noAnnouncements: t("No announcements."), remove: t("Remove"),
    removeLabel: (text) => t("Remove the announcement “%(text)s”", { text }),
    done: {
      paused: t("Wall paused: new posts wait."), resumed: t("Wall resumed."),
      blanked: t("Wall blanked."), unblanked: t("Wall visible again."),
      message: t("Message shown on the wall."), unmessage: t("Message taken off the wall."),
      layout: (layout) => t("Wall layout: %(layout)s.", { layout }), theme: (theme) => t("Wall theme: %(theme)s.", { theme }),
      announced: t("Announcement added to the ticker."), unannounced: t("Announcement removed from the ticker."),
    },
    byOther: {
      paused: (name) => t("%(name)s paused the wall.", { name }), resumed: (name) => t("%(name)s resumed the wall.", { name }),
      blanked: (name) => t("%(name)s blanked the wall.", { name }),
      unblanked: (name) => t("%(name)s made the wall visible again.", { name }),
      message: (name) => t("%(name)s put up a full-screen message.", { name }),
      unmessage: (name) => t("%(name)s took the message off the wall.", { name }),
    },
    emptyMessage: t("Write the message to show."), emptyAnnouncement: t("Write the announcement's text."),
  },
  byUrl: {
    working: t("Fetching the post…"), added: t("Added to the queue."), known: t("This post was already in the queue."),
    error: (status) => t("Error %(status)s", { status }),
  },
};

// "a, b and c" as the reader's language writes a list.
const listFormat = new Intl.ListFormat(lang, { type: "conjunction" });
function listOf(names) { return listFormat.format(names); }

const body = document.body;
const slug = body.dataset.event;
const api = `/api/events/${slug}`;
const me = body.dataset.user || "";
const opts = { tz: body.dataset.tz || "Europe/Rome", day: body.dataset.day || "" };
const $ = (id) => document.getElementById(id);
const list = $("list");
const queue = $("queue");
const empty = $("empty");
const status = $("status");
const announcer = $("announce");
const presence = $("presence");
const detail = $("detail");
const detailBody = $("detail-body");
const tabs = [...document.querySelectorAll('[role="tab"]')];
const filterForm = $("filters");
const programme = JSON.parse($("programme").textContent || "[]");

const posts = new Map(); // id -> post as the server last sent it
const overrides = new Map(); // id -> fields this editor just changed, until the server confirms
const counts = { pending: 0, approved: 0, rejected: 0 };
const rows = new Map(); // id -> { post, el }: rows are built once per version of a post
const marks = new Set(); // ids selected for a bulk action
const watching = new Map(); // editor -> post id they have open
const filters = { text: "", platform: "", account: "", session: "", media: false, held: false };
// The event's reject reasons and the rules' own, labelled for this reader by the server.
const { reasons, system: systemReasons } = JSON.parse($("reasons").textContent || "{}");
let lastReason = "";
let view = "pending";
let selected = null; // id of the selected post
let lastIndex = 0; // where the selection was, so it stays in place when its post leaves
let wanted = null; // { id, at }: a post to select as soon as it shows (after an undo)
let queueFocused = false; // whether the keyboard is in the queue (a removed row takes focus away)
let editors = [];
let wall = { layout: "grid", theme: "dark", paused: false, blank: false, message: "", announcements: [] };

// -- small helpers ---------------------------------------------------------------------------
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function effective(post) {
  const over = overrides.get(post.id);
  if (!over) return post;
  if (over.base !== post) { over.base = post; over.merged = { ...post, ...over.fields }; }
  return over.merged;
}

function snippet(text, n = 60) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

function who(post) {
  if (!post) return "";
  const name = post.author.name || post.author.handle;
  const words = snippet(post.text, 50);
  return words ? T.quoted(name, words) : name;
}

function reasonLabel(code) {
  const found = reasons.find((r) => r.code === code);
  return found ? found.label : systemReasons[code] || code || T.otherReason;
}

function holdText(hold) {
  // `hold` is stored words (coverage/curation.py); the rules' own wording is said again here,
  // in the reader's language, whichever language it was stored in.
  const blocked = /^(?:Parola bloccata|Blocked word): [«“](.*)[»”]$/s.exec(hold || "");
  return blocked ? T.blockedWord(blocked[1]) : hold;
}

function time(iso) { return iso ? formatPostTime(iso, opts.tz, opts.day) : ""; }

function sessionById(id) { return programme.find((s) => s.id === id); }

function sessionLabel(s) { return `${time(s.starts_at)} ${s.title}`; }

function fold(text) {
  return (text || "").toLowerCase().normalize("NFD").replace(/\p{Diacritic}/gu, "");
}

let lastSaid = "";
function say(text, kind = "info") {
  // One polite message per action; the same words twice still get read out.
  const words = text === lastSaid ? `${text}\u00a0` : text;
  lastSaid = words;
  announcer.textContent = words;
  announcer.dataset.kind = kind;
}

function setStatus(state, detailText) {
  status.textContent = T.status[state] + (detailText && state === "offline" ? ` (${detailText})` : "");
  body.dataset.connection = state;
  if (state === "live") sentOpen = undefined; // the server forgot what we had open: say it again
  if (state === "live") scheduleOpen();
}

// -- the queue -------------------------------------------------------------------------------
const hays = new WeakMap(); // post -> its searchable words, folded once per version
function matchText(post, words) {
  if (!words.length) return true;
  let hay = hays.get(post);
  if (hay === undefined) {
    hay = fold([post.text, post.author.name, post.author.handle, post.note, post.spoiler,
      post.reposted_by && (post.reposted_by.name || post.reposted_by.handle)].join(" "));
    hays.set(post, hay);
  }
  return words.every((w) => hay.includes(w));
}

const FACETS = ["platform", "account", "session", "media", "held"];

function visible() {
  // What the tab holds (base), what the filters let through (items), and the facet counts:
  // each facet counts the posts that pass every *other* filter, so the numbers say what
  // choosing an option would show.
  const base = [];
  for (const raw of posts.values()) {
    const post = effective(raw);
    if (post.state === view && !post.deleted) base.push(post);
  }
  if (view === "pending") base.sort((a, b) => a.curation_id - b.curation_id); // oldest first
  else base.sort((a, b) => ((a.decided_at || "") < (b.decided_at || "") ? 1 : -1));
  const words = fold(filters.text).split(/\s+/).filter(Boolean);
  const tally = { platform: new Map(), account: new Map(), session: new Map(), media: 0, held: 0 };
  const names = new Map();
  const items = [];
  for (const post of base) {
    const ok = {
      text: matchText(post, words),
      platform: !filters.platform || post.platform === filters.platform,
      account: !filters.account || post.author.handle === filters.account,
      session: !filters.session || (filters.session === "none" ? !post.session_id : String(post.session_id) === filters.session),
      media: !filters.media || (post.media || []).length > 0,
      held: !filters.held || !!post.hold,
    };
    const failing = Object.keys(ok).filter((k) => !ok[k]);
    if (!failing.length) items.push(post);
    if (failing.length > 1) continue;
    for (const facet of FACETS) {
      if (failing.length && failing[0] !== facet) continue;
      if (facet === "media") { if ((post.media || []).length) tally.media += 1; continue; }
      if (facet === "held") { if (post.hold) tally.held += 1; continue; }
      const value = facet === "platform" ? post.platform
        : facet === "account" ? post.author.handle : (post.session_id ? String(post.session_id) : "none");
      tally[facet].set(value, (tally[facet].get(value) || 0) + 1);
      if (facet === "account") names.set(value, post.author.name || value);
    }
  }
  return { base, items: view === "pending" ? items : items.slice(0, 300), tally, names };
}

function badge(text, kind) {
  const li = el("li", `marker marker-${kind}`, text);
  return li;
}

function markersOf(post) {
  const out = [];
  if (post.featured) out.push(badge(T.markers.featured, "featured"));
  if (post.pinned) out.push(badge(T.markers.pinned, "pinned"));
  if (post.reply_to) out.push(badge(T.markers.reply, "reply"));
  if (post.reposted_by) out.push(badge(T.markers.repostBy(post.reposted_by.name || post.reposted_by.handle), "repost"));
  else if (post.repost_of) out.push(badge(T.markers.repost, "repost"));
  if (post.quote_of) out.push(badge(T.markers.quote, "quote"));
  if (post.sensitive) out.push(badge(T.markers.sensitive, "sensitive"));
  if (post.duplicate_of) out.push(badge(T.markers.duplicate, "duplicate"));
  if ((post.media || []).some((m) => !m.alt)) out.push(badge(T.markers.noAlt, "noalt"));
  const session = post.session_id && sessionById(post.session_id);
  if (session) out.push(badge(T.markers.session(session.title), "session"));
  if (post.note) out.push(badge(T.markers.note(snippet(post.note, 80)), "note"));
  return out;
}

function buildRow(post) {
  const li = el("li", "queue-item");
  li.dataset.id = String(post.id);
  li.tabIndex = -1;
  const mark = el("input", "mark");
  mark.type = "checkbox";
  mark.tabIndex = -1;
  mark.setAttribute("aria-label", T.markLabel);
  const card = renderPost(post, opts);
  card.classList.add("compact");
  // One tab stop per row (the row); links stay clickable and are all in the detail panel.
  for (const node of card.querySelectorAll("a,button,input,[tabindex]")) node.tabIndex = -1;
  const main = el("div", "row-main");
  main.append(card);
  if (post.hold) main.append(el("p", "hold", `⚠ ${T.markers.hold(holdText(post.hold))}`));
  const markers = markersOf(post);
  if (markers.length) {
    const ul = el("ul", "markers");
    ul.append(...markers);
    main.append(ul);
  }
  if (post.state !== "pending" && post.decided_at) {
    main.append(el("p", "decision", T.decided(post.state, reasonLabel(post.reason), post.decided_by, time(post.decided_at))));
  }
  const eye = el("p", "watching");
  eye.hidden = true;
  main.append(eye);
  li.append(mark, main);
  return li;
}

function rowFor(post) {
  const cached = rows.get(post.id);
  if (cached && cached.post === post) return cached.el;
  const row = buildRow(post);
  if (cached) cached.el.replaceWith(row); // keep its place; reconcile moves it if needed
  rows.set(post.id, { post, el: row });
  return row;
}

function reconcile(wantedRows) {
  // Move only what moved: a row that stays keeps its node (and its focus).
  let cursor = queue.firstElementChild;
  for (const row of wantedRows) {
    if (row === cursor) { cursor = cursor.nextElementSibling; continue; }
    queue.insertBefore(row, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

let renderQueued = false;
function schedule() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(flush);
  setTimeout(flush, 150); // pages in the background get no animation frames
}
function flush() {
  if (!renderQueued) return;
  renderQueued = false;
  render();
}

let shownDetail = null;
function render() {
  const { base, items, tally, names } = visible();
  let index = -1;
  if (wanted !== null && Date.now() - wanted.at < 5000) {
    index = items.findIndex((p) => p.id === wanted.id);
    if (index >= 0) wanted = null;
  }
  if (index < 0) index = items.findIndex((p) => p.id === selected);
  if (index < 0 && items.length) index = Math.min(lastIndex, items.length - 1);
  selected = index >= 0 ? items[index].id : null;
  lastIndex = Math.max(index, 0);

  const ids = new Set(items.map((p) => p.id));
  for (const id of marks) if (!ids.has(id)) marks.delete(id);
  reconcile(items.map(rowFor));
  for (const [id] of rows) if (!posts.has(id)) rows.delete(id);
  decorate();

  empty.hidden = items.length > 0;
  empty.textContent = base.length ? T.emptyFiltered : T.empty;
  showCounts();
  showFacets(base, items, tally, names);
  showBulk();
  const current = selected === null ? null : effective(posts.get(selected));
  if (current !== shownDetail) showDetail(current);
  // Keep the keyboard on the selected row when its row was removed or rebuilt under it.
  const active = document.activeElement;
  const row = selectedRow();
  if (queueFocused && active !== row && (!active || active === body || active === list
      || active.classList.contains("queue-item"))) focusSelected();
  scheduleOpen();
}

function decorate() {
  const seen = new Map();
  for (const [editor, postId] of watching) {
    if (postId !== null && editors.includes(editor)) seen.set(postId, [...(seen.get(postId) || []), editor]);
  }
  for (const row of queue.children) {
    const id = Number(row.dataset.id);
    const on = id === selected;
    row.toggleAttribute("aria-current", on);
    if (on) row.setAttribute("aria-current", "true");
    row.tabIndex = on ? 0 : -1;
    const marked = marks.has(id);
    row.classList.toggle("marked", marked);
    row.querySelector(".mark").checked = marked;
    const eye = row.querySelector(".watching");
    const names = seen.get(id);
    eye.hidden = !names;
    const text = names ? `👁 ${T.watching(names)}` : "";
    if (eye.textContent !== text) eye.textContent = text;
  }
}

function selectedRow() {
  return selected === null ? null : queue.querySelector(`.queue-item[data-id="${selected}"]`);
}

function focusSelected() {
  const row = selectedRow();
  if (row) {
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  } else {
    list.focus({ preventScroll: true });
  }
  queueFocused = true;
}

function select(id, { focus = true } = {}) {
  const { items } = visible();
  const index = items.findIndex((p) => p.id === id);
  if (index < 0) return;
  selected = id;
  lastIndex = index;
  decorate();
  showDetail(effective(posts.get(id)));
  if (focus) focusSelected();
  scheduleOpen();
}

function move(step) {
  const { items } = visible();
  if (!items.length) return;
  const at = items.findIndex((p) => p.id === selected);
  const next = step === Infinity ? items.length - 1 : step === -Infinity ? 0
    : Math.min(Math.max(at + step, 0), items.length - 1);
  select(items[next].id);
}

function showCounts() {
  // The server's counts, corrected by what this editor just did and the server has not echoed.
  const shown = { ...counts };
  for (const [id, over] of overrides) {
    const post = posts.get(id);
    if (!post || post.deleted || !over.fields.state || over.fields.state === post.state) continue;
    shown[post.state] -= 1;
    shown[over.fields.state] += 1;
  }
  for (const [state, n] of Object.entries(shown)) {
    const node = document.querySelector(`[data-count="${state}"]`);
    const text = formatNumber(Math.max(n, 0));
    if (node.textContent !== text) node.textContent = text;
  }
}

// -- filters ---------------------------------------------------------------------------------
function filtersActive() {
  return Boolean(filters.text || filters.platform || filters.account || filters.session || filters.media || filters.held);
}

function setOptions(select, options, value) {
  // Rebuild a select only when its options changed, keeping the chosen one even at zero.
  const key = JSON.stringify(options);
  if (select.dataset.key !== key) {
    select.dataset.key = key;
    select.replaceChildren(...options.map(([v, label]) => {
      const option = el("option", null, label);
      option.value = v;
      return option;
    }));
  }
  select.value = value;
}

function showFacets(base, items, tally, names) {
  const total = (map) => [...map.values()].reduce((a, b) => a + b, 0);
  const platforms = Object.keys(T.platforms).filter((p) => tally.platform.get(p) || filters.platform === p);
  const counted = (label, n) => `${label} (${formatNumber(n || 0)})`;
  setOptions($("f-platform"), [["", counted(T.all.platform, total(tally.platform))],
    ...platforms.map((p) => [p, counted(T.platforms[p], tally.platform.get(p))])], filters.platform);
  const accounts = [...tally.account.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (filters.account && !tally.account.has(filters.account)) accounts.push([filters.account, 0]);
  setOptions($("f-account"), [["", counted(T.all.account, total(tally.account))],
    ...accounts.map(([h, n]) => [h, counted(names.get(h) || h, n)])], filters.account);
  const sessions = [["", counted(T.all.session, total(tally.session))],
    ["none", counted(T.noSession, tally.session.get("none"))],
    ...programme.map((s) => [String(s.id), counted(sessionLabel(s), tally.session.get(String(s.id)))])];
  setOptions($("f-session"), sessions, filters.session);
  for (const facet of ["media", "held"]) {
    const node = filterForm.querySelector(`[data-facet="${facet}"]`);
    const text = `(${formatNumber(tally[facet])})`;
    if (node.textContent !== text) node.textContent = text;
  }
  const active = filtersActive();
  $("f-clear").disabled = !active;
  $("f-summary").textContent = active ? T.shown(items.length, base.length) : "";
  filterForm.classList.toggle("active", active);
}

function readFilters() {
  const f = filterForm.elements;
  Object.assign(filters, {
    text: f.text.value.trim(), platform: f.platform.value, account: f.account.value,
    session: f.session.value, media: f.media.checked, held: f.held.checked,
  });
  lastIndex = 0;
  schedule();
}

function clearFilters() {
  filterForm.reset(); // the reset listener reads the filters and says so
}

filterForm.addEventListener("input", readFilters);
filterForm.addEventListener("change", readFilters);
filterForm.addEventListener("submit", (e) => { e.preventDefault(); focusSelected(); });
filterForm.addEventListener("reset", () => setTimeout(() => {
  readFilters();
  render();
  say(T.filtersCleared);
  if (!isField(document.activeElement)) focusSelected(); // the clear button is now disabled
}));
$("f-text").addEventListener("keydown", (e) => {
  if (e.key === "Enter") { e.preventDefault(); readFilters(); render(); focusSelected(); }
});

// -- the detail panel ------------------------------------------------------------------------
function fact(dl, term, value) {
  if (value === "" || value === null || value === undefined) return;
  dl.append(el("dt", null, term));
  const dd = el("dd");
  if (value instanceof Node) dd.append(value); else dd.textContent = value;
  dl.append(dd);
}

function showDetail(post) {
  shownDetail = post;
  const buttons = detail.querySelectorAll("[data-act]");
  for (const b of buttons) b.disabled = !post && b.dataset.act !== "undo";
  if (!post) {
    detailBody.replaceChildren(el("p", "empty", T.nothingSelected));
    return;
  }
  detail.querySelector('[data-act="approve"]').disabled = post.state === "approved";
  detail.querySelector('[data-act="pending"]').disabled = post.state === "pending";
  setLabel(detail.querySelector('[data-act="feature"]'), post.featured ? T.buttons.unfeature : T.buttons.feature);
  setLabel(detail.querySelector('[data-act="pin"]'), post.pinned ? T.buttons.unpin : T.buttons.pin);
  const card = renderPost(post, opts);
  card.classList.add("full");
  const dl = el("dl", "facts");
  fact(dl, T.facts.state, T.states[post.state]);
  if (post.hold) fact(dl, T.facts.hold, holdText(post.hold));
  if (post.state === "rejected") fact(dl, T.facts.reason, reasonLabel(post.reason));
  if (post.decided_by) fact(dl, T.facts.decided, T.facts.by(post.decided_by, time(post.decided_at)));
  fact(dl, T.facts.arrived, time(post.arrived_at));
  const session = post.session_id && sessionById(post.session_id);
  if (session) fact(dl, T.facts.session, sessionLabel(session));
  if (post.note) fact(dl, T.facts.note, post.note);
  if (post.duplicate_of) fact(dl, T.facts.duplicate, T.facts.duplicateOf(post.duplicate_of));
  const url = safeUrl(post.url);
  if (url) {
    const a = el("a", null, T.facts.open);
    a.href = url;
    a.target = "_blank";
    a.rel = "nofollow noopener noreferrer";
    fact(dl, T.facts.original, a);
  }
  const extra = [];
  if (post.hold) extra.push(el("p", "hold", `⚠ ${T.markers.hold(holdText(post.hold))}`));
  detailBody.replaceChildren(...extra, card, dl);
}

function setLabel(button, text) {
  const node = button.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && node.textContent !== `${text} `) node.textContent = `${text} `;
}

// -- talking to the server -------------------------------------------------------------------
function send(name, data) {
  return new Promise((resolve) => {
    if (!live.socket.connected) { resolve({ ok: false, error: T.notConnected }); return; }
    live.socket.timeout(5000).emit(name, data, (err, reply) => {
      if (err) resolve({ ok: false, error: T.noReply });
      else resolve(reply && typeof reply === "object" ? reply : { ok: false, error: T.badReply });
    });
  });
}

function predict(post, action, extra) {
  const now = new Date().toISOString();
  const decided = { decided_by: me, decided_at: now };
  switch (action) {
    case "approve": return { state: "approved", reason: "", ...decided };
    case "reject": return { state: "rejected", reason: extra.reason || "other", featured: false, pinned: false, ...decided };
    case "pending": return { state: "pending", reason: "", featured: false, pinned: false, ...decided };
    case "feature": return { state: "approved", featured: true, ...(post.state === "approved" ? {} : decided) };
    case "unfeature": return { featured: false };
    case "pin": return { state: "approved", pinned: true, ...(post.state === "approved" ? {} : decided) };
    case "unpin": return { pinned: false };
    case "note": return { note: (extra.note || "").trim() };
    case "session": return { session_id: extra.session_id };
    default: return {};
  }
}

function doneText(action, extra, post) {
  if (action === "note") return extra.note ? T.done.note(who(post)) : T.done.unnote(who(post));
  if (action === "session") {
    const s = extra.session_id && sessionById(extra.session_id);
    return s ? T.done.session(who(post), s.title) : T.done.unsession(who(post));
  }
  if (action === "reject") return T.done.reject(who(post), reasonLabel(extra.reason));
  return T.done[action](who(post));
}

async function decide(ids, action, extra = {}) {
  // Show the outcome at once (the row leaves, the selection moves on); the server's
  // broadcast confirms it, an error puts things back and says why.
  const targets = ids.map((id) => posts.get(id)).filter(Boolean);
  if (!targets.length) return;
  const tokens = new Map();
  for (const post of targets) {
    const token = { fields: predict(effective(post), action, extra) };
    overrides.set(post.id, token);
    tokens.set(post.id, token);
  }
  if (queueFocused || list.contains(document.activeElement)) queueFocused = true;
  render();
  const data = ids.length === 1 ? { post_id: ids[0], action, ...extra } : { post_ids: ids, action, ...extra };
  const reply = await send("decide", data);
  const undoOverrides = () => {
    for (const [id, token] of tokens) if (overrides.get(id) === token) overrides.delete(id);
    schedule();
  };
  if (!reply.ok) {
    undoOverrides();
    say(T.failed(reply.error || T.badReply), "error");
    return;
  }
  if (ids.length > 1) {
    say(action === "reject" ? T.bulkRejected(reply.changed ?? ids.length, reasonLabel(extra.reason))
      : T.bulkApproved(reply.changed ?? ids.length));
  } else if (reply.changed === false) {
    undoOverrides();
    say(T.unchanged);
  } else {
    say(doneText(action, extra, targets[0]));
  }
}

async function undo() {
  const reply = await send("undo", {});
  if (!reply.ok) { say(T.failed(reply.error || T.badReply), "error"); return; }
  const post = posts.get(reply.post_id);
  wanted = reply.post_id === undefined ? null : { id: reply.post_id, at: Date.now() };
  say(post && T.undone[reply.action] ? T.undoneMsg(T.undone[reply.action], who(post)) : T.undoneSome);
  schedule();
}

// -- live messages ---------------------------------------------------------------------------
function apply(msg) {
  const post = msg.post;
  const before = posts.get(post.id);
  const shownBefore = before ? effective(before) : null;
  if (before && !before.deleted) counts[before.state] -= 1;
  if (!post.deleted) counts[post.state] += 1;
  overrides.delete(post.id);
  posts.set(post.id, post);
  const by = msg.by || "";
  if (post.id === selected && shownBefore && by !== me
      && (post.deleted || post.state !== shownBefore.state)) {
    say(post.deleted ? T.goneDeleted : (T.gone[post.state] || T.gone.other)(by || T.someone));
  }
  if (chooser && chooser.kind === "reject" && chooser.ids.length === 1 && chooser.ids[0] === post.id
      && by !== me && post.state !== chooser.state) {
    const dialog = chooser.dialog;
    chooser.cancelled = true;
    dialog.close();
    say(T.rejectCancelled(by), "error");
  }
  schedule();
}

const live = connectLive("/console", slug, {
  snapshot(msg) {
    posts.clear();
    overrides.clear();
    for (const post of msg.posts) posts.set(post.id, post);
    Object.assign(counts, msg.counts);
    if (msg.wall) showWall(msg.wall);
    schedule();
  },
  post_added: apply, post_approved: apply, post_rejected: apply, post_pending: apply,
  post_featured: apply, post_unfeatured: apply, post_pinned: apply, post_unpinned: apply,
  post_noted: apply, post_session: apply, post_deleted: apply, post_edited: apply,
  post_erased(msg) {
    const before = posts.get(msg.post.id);
    if (!before) return;
    if (!before.deleted) counts[before.state] -= 1;
    posts.delete(msg.post.id);
    overrides.delete(msg.post.id);
    if (selected === msg.post.id) say(T.goneErased);
    schedule();
  },
  // The lead changed the programme: the session chooser and filters follow without a reload.
  programme(msg) {
    programme.splice(0, programme.length, ...(Array.isArray(msg.sessions) ? msg.sessions : []));
    schedule();
  },
  wall_state(msg) {
    const before = wall;
    showWall(msg.wall);
    if (msg.by && msg.by !== me) {
      const o = T.wall.byOther;
      if (before.paused !== wall.paused) say(wall.paused ? o.paused(msg.by) : o.resumed(msg.by));
      else if (before.blank !== wall.blank) say(wall.blank ? o.blanked(msg.by) : o.unblanked(msg.by));
      else if (before.message !== wall.message) say(wall.message ? o.message(msg.by) : o.unmessage(msg.by));
    }
  },
}, setStatus);

live.socket.on("presence", (msg) => {
  editors = Array.isArray(msg.editors) ? msg.editors : [];
  presence.textContent = editors.length
    ? T.presence(editors.map((name) => (name === me ? `${name} (${T.you})` : name))) : "";
  for (const editor of [...watching.keys()]) if (!editors.includes(editor)) watching.delete(editor);
  decorate();
});

live.socket.on("post_opened", (msg) => {
  if (!msg || !msg.editor || msg.editor === me) return;
  if (msg.post_id === null || msg.post_id === undefined) watching.delete(msg.editor);
  else watching.set(msg.editor, Number(msg.post_id));
  decorate();
});

// Tell the others which post this editor has open, once the selection settles.
let sentOpen;
let openTimer = null;
function scheduleOpen() {
  clearTimeout(openTimer);
  openTimer = setTimeout(() => {
    const postId = document.hidden ? null : selected;
    if (postId === sentOpen || !live.socket.connected) return;
    sentOpen = postId;
    live.socket.emit("open_post", { post_id: postId });
  }, 250);
}
document.addEventListener("visibilitychange", scheduleOpen);

// -- choosers (reject reason, session, note) and the help --------------------------------------
let chooser = null; // { kind, ids, dialog, returnTo, state }

function openChooser(dialog, kind, ids, focusTarget) {
  const first = posts.get(ids[0]);
  chooser = { kind, ids, dialog, returnTo: document.activeElement, state: first && effective(first).state };
  dialog.showModal();
  if (focusTarget) focusTarget.focus();
}

function closeChooser() {
  const ctx = chooser;
  chooser = null;
  const back = ctx && ctx.returnTo;
  if (back && back.isConnected && back !== body && !back.closest(".queue-item")) back.focus();
  else focusSelected();
}

for (const dialog of document.querySelectorAll("dialog")) {
  dialog.addEventListener("close", () => { if (dialog.id === "help-dialog") helpReturn(); else closeChooser(); });
  for (const b of dialog.querySelectorAll("[data-close]")) b.addEventListener("click", () => dialog.close());
}

function numberKeys(dialog) {
  dialog.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const radios = [...dialog.querySelectorAll('input[type="radio"]')];
    if (/^[0-9]$/.test(e.key)) {
      e.preventDefault();
      const pick = radios.find((r) => r.dataset.key === e.key);
      if (pick) { pick.checked = true; pick.focus(); }
    } else if (e.key === "Enter" && e.target.type === "radio") {
      e.preventDefault();
      dialog.querySelector("form").requestSubmit();
    }
  });
}

function choice(name, value, key, label, extra) {
  const li = el("li");
  const lab = el("label");
  const input = el("input");
  input.type = "radio";
  input.name = name;
  input.value = value;
  if (key !== "") input.dataset.key = key;
  const kbd = el("kbd", null, key);
  lab.append(input, " ", kbd, " ", label);
  if (extra) lab.append(" ", el("span", "hint", extra));
  li.append(lab);
  return li;
}

const rejectDialog = $("reject-dialog");
function showReasons() {
  $("reject-keys").textContent = reasons.length > 9 ? T.reasonKeys10 : T.reasonKeys(Math.min(reasons.length, 9));
  $("reject-reasons").replaceChildren(...reasons.map((r, i) => choice("reason", r.code, i < 10 ? String((i + 1) % 10) : "", r.label)));
}
showReasons();
numberKeys(rejectDialog);

function openReject(ids, { bulk: fromBulk = false } = {}) {
  if (!ids.length) return;
  $("reject-title").textContent = T.rejectTitle(ids.length);
  $("reject-for").textContent = ids.length === 1 ? who(posts.get(ids[0])) : T.selectedCount(ids.length);
  const radios = [...rejectDialog.querySelectorAll('input[name="reason"]')];
  const pick = radios.find((r) => r.value === lastReason) || radios[0];
  if (pick) pick.checked = true;
  openChooser(rejectDialog, "reject", ids, pick);
  chooser.bulk = fromBulk;
}

rejectDialog.querySelector("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const ctx = chooser;
  const reason = rejectDialog.querySelector('input[name="reason"]:checked')?.value || "other";
  rejectDialog.close();
  if (!ctx || ctx.cancelled) return;
  lastReason = reason;
  if (ctx.bulk) marks.clear();
  decide(ctx.ids, "reject", { reason });
});

const sessionDialog = $("session-dialog");
numberKeys(sessionDialog);
function sessionAt(iso) {
  const at = Date.parse(iso);
  return programme.find((s) => Date.parse(s.starts_at) <= at && at < Date.parse(s.ends_at));
}

function openSession(post) {
  const options = programme.map((s, i) => choice("session", String(s.id), i < 9 ? String(i + 1) : "",
    sessionLabel(s), s.speakers && s.speakers.length ? s.speakers.join(", ") : ""));
  options.push(choice("session", "", "0", T.noneSession));
  $("session-choices").replaceChildren(...options);
  $("session-for").textContent = who(post);
  const guess = post.session_id ? String(post.session_id) : String((sessionAt(post.created_at) || {}).id ?? "");
  const radios = [...sessionDialog.querySelectorAll('input[name="session"]')];
  const pick = radios.find((r) => r.value === guess) || radios[radios.length - 1];
  pick.checked = true;
  openChooser(sessionDialog, "session", [post.id], pick);
}

sessionDialog.querySelector("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const ctx = chooser;
  const value = sessionDialog.querySelector('input[name="session"]:checked')?.value ?? "";
  sessionDialog.close();
  if (ctx) decide(ctx.ids, "session", { session_id: value ? Number(value) : null });
});

const noteDialog = $("note-dialog");
function openNote(post) {
  $("note-for").textContent = who(post);
  const input = $("note-text");
  input.value = post.note || "";
  openChooser(noteDialog, "note", [post.id], input);
  input.select();
}

noteDialog.querySelector("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const ctx = chooser;
  const note = $("note-text").value.trim();
  noteDialog.close();
  if (ctx) decide(ctx.ids, "note", { note });
});

const helpDialog = $("help-dialog");
let helpFrom = null;
function openHelp() {
  helpFrom = document.activeElement;
  helpDialog.showModal();
}
function helpReturn() {
  if (helpFrom && helpFrom.isConnected && helpFrom !== body && !helpFrom.closest(".queue-item")) helpFrom.focus();
  else focusSelected();
}
$("help-open").addEventListener("click", openHelp);

// -- actions on the selected post (keys and buttons share them) ------------------------------
function current() {
  const post = selected === null ? null : posts.get(selected);
  return post ? effective(post) : null;
}

const ACTIONS = {
  approve: (p) => decide([p.id], "approve"),
  reject: (p) => openReject([p.id]),
  feature: (p) => decide([p.id], p.featured ? "unfeature" : "feature"),
  pin: (p) => decide([p.id], p.pinned ? "unpin" : "pin"),
  note: (p) => openNote(p),
  session: (p) => openSession(p),
  pending: (p) => decide([p.id], "pending"),
};

function act(name) {
  if (name === "undo") { undo(); return; }
  const post = current();
  if (!post) { say(T.nothingSelected); return; }
  ACTIONS[name](post);
}

detail.querySelector(".detail-actions").addEventListener("click", (e) => {
  const button = e.target.closest("[data-act]");
  if (button) act(button.dataset.act);
});

function bulk(action) {
  const ids = [...marks];
  if (!ids.length) { say(T.nothingMarked); return; }
  if (action === "approve") { marks.clear(); decide(ids, "approve"); } else openReject(ids, { bulk: true });
}

function showBulk() {
  const bar = $("bulk");
  bar.hidden = marks.size === 0;
  $("bulk-count").textContent = T.selectedCount(marks.size);
}

$("bulk").addEventListener("click", (e) => {
  const button = e.target.closest("[data-bulk]");
  if (!button) return;
  if (button.dataset.bulk === "clear") { marks.clear(); render(); focusSelected(); say(T.marksCleared); } else bulk(button.dataset.bulk);
});

function toggleMark(id) {
  if (marks.has(id)) marks.delete(id); else marks.add(id);
  decorate();
  showBulk();
}

queue.addEventListener("click", (e) => {
  const row = e.target.closest(".queue-item");
  if (!row) return;
  const id = Number(row.dataset.id);
  if (e.target.classList.contains("mark")) toggleMark(id);
  if (!e.target.closest("a")) select(id);
});

// -- tabs ------------------------------------------------------------------------------------
function selectTab(tab, { focusTab = false } = {}) {
  view = tab.dataset.state;
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
  }
  list.setAttribute("aria-labelledby", tab.id);
  selected = null;
  lastIndex = 0;
  wanted = null;
  marks.clear();
  render();
  if (focusTab) tab.focus();
}

tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    e.preventDefault();
    const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    selectTab(next, { focusTab: true });
  });
});

// -- the keyboard ----------------------------------------------------------------------------
function isField(target) {
  // Keys belong to whatever the editor is typing in or operating: never steal them. A filter's
  // checkbox takes no letters, so the queue keys keep working after ticking one.
  if (!target || !target.closest) return false;
  if (target.type === "checkbox" && target.closest("#filters")) return false;
  return Boolean(target.closest(
    "input,textarea,select,[contenteditable=''],[contenteditable='true'],#wall-controls"));
}

function escape(target) {
  if (target && target !== body && !target.closest(".queue-item") && target !== list) {
    focusSelected();
    return;
  }
  if (marks.size) { marks.clear(); render(); say(T.marksCleared); return; }
  if (filtersActive()) clearFilters();
}

const KEYS = {
  j: () => move(1), k: () => move(-1), ArrowDown: () => move(1), ArrowUp: () => move(-1),
  Home: () => move(-Infinity), End: () => move(Infinity),
  a: () => act("approve"), r: () => act("reject"), f: () => act("feature"), p: () => act("pin"),
  n: () => act("note"), s: () => act("session"), u: () => act("pending"), z: () => act("undo"),
  x: () => { if (selected !== null) toggleMark(selected); },
  A: () => bulk("approve"), R: () => bulk("reject"),
  "/": () => { const f = $("f-text"); f.focus(); f.select(); },
  "?": () => openHelp(),
  t: () => {
    const i = tabs.findIndex((tab) => tab.dataset.state === view);
    const next = tabs[(i + 1) % tabs.length];
    selectTab(next);
    focusSelected();
    say(T.tab(next.firstChild.textContent.trim()));
  },
  w: () => toggleWall(),
  o: () => {
    const post = current();
    const url = post && safeUrl(post.url);
    if (url) window.open(url, "_blank", "noopener,noreferrer");
  },
  Enter: () => { if (current()) detail.focus(); },
};
const ON_ROW_ONLY = new Set(["ArrowDown", "ArrowUp", "Home", "End", "Enter"]);

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (document.querySelector("dialog[open]")) return; // the dialog has its own keys
  const target = e.target;
  if (e.key === "Escape") {
    if (target.type === "search" || isField(target) || target !== body) e.preventDefault();
    escape(target);
    return;
  }
  if (isField(target)) return;
  let key = e.key;
  if (/^[a-z]$/i.test(key)) key = e.shiftKey ? key.toUpperCase() : key.toLowerCase(); // Caps Lock
  const handler = KEYS[key];
  if (!handler) return;
  const onRow = target === body || target === list || target.classList.contains("queue-item");
  if (ON_ROW_ONLY.has(key) && !onRow) return; // arrows and Enter keep their usual meaning elsewhere
  e.preventDefault();
  if (["j", "k", "ArrowDown", "ArrowUp", "Home", "End"].includes(key)) queueFocused = true;
  handler();
});

document.addEventListener("focusin", (e) => {
  queueFocused = list.contains(e.target);
});

// -- wall control ----------------------------------------------------------------------------
const wallToggle = $("wall-toggle");
const wallControls = $("wall-controls");

function setWallOpen(open) {
  wallToggle.setAttribute("aria-expanded", String(open));
  wallControls.hidden = !open;
  try { localStorage.setItem("piazza.wallPanel", open ? "open" : "closed"); } catch { /* private mode */ }
}

function toggleWall() {
  const open = wallControls.hidden;
  setWallOpen(open);
  if (open) $("wall-pause").focus(); else focusSelected();
}

wallToggle.addEventListener("click", () => setWallOpen(wallControls.hidden));
try { setWallOpen(localStorage.getItem("piazza.wallPanel") === "open"); } catch { setWallOpen(false); }
wallControls.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && !document.querySelector("dialog[open]")) { e.preventDefault(); focusSelected(); }
});

function showWall(next) {
  wall = { ...wall, ...(next || {}) };
  if (!Array.isArray(wall.announcements)) wall.announcements = [];
  const W = T.wall;
  const flags = [];
  if (wall.paused) flags.push(W.paused);
  if (wall.blank) flags.push(W.blanked);
  if (wall.message) flags.push(W.messageOn);
  const summary = $("wall-summary");
  summary.textContent = [W.layouts[wall.layout] || wall.layout, W.themes[wall.theme] || wall.theme,
    ...(flags.length ? flags : [W.onAir]), wall.announcements.length ? W.announcements(wall.announcements.length) : ""]
    .filter(Boolean).join(" · ");
  summary.dataset.alert = flags.length ? "true" : "false";
  $("wall-pause").textContent = wall.paused ? W.resume : W.pause;
  $("wall-pause").classList.toggle("on", wall.paused);
  $("wall-blank").textContent = wall.blank ? W.unblank : W.blank;
  $("wall-blank").classList.toggle("on", wall.blank);
  for (const name of ["layout", "theme"]) {
    for (const radio of wallControls.querySelectorAll(`[name="${name}"]`)) radio.checked = radio.value === wall[name];
  }
  $("wall-message-now").textContent = wall.message ? W.nowShowing(wall.message) : W.noMessage;
  $("wall-message-clear").disabled = !wall.message;
  const items = wall.announcements.map((a) => {
    const li = el("li");
    li.append(el("span", null, a.text));
    const b = el("button", null, W.remove);
    b.classList.add("secondary", "small");
    b.type = "button";
    b.setAttribute("aria-label", W.removeLabel(a.text));
    b.addEventListener("click", () => unannounce(a.id));
    li.append(b);
    return li;
  });
  const ticker = $("announcements");
  const hadFocus = ticker.contains(document.activeElement);
  ticker.replaceChildren(...(items.length ? items : [el("li", "empty", W.noAnnouncements)]));
  if (hadFocus) $("announce-text").focus();
}

async function control(change, done) {
  const reply = await send("wall_control", change);
  if (!reply.ok) { say(T.failed(reply.error || T.badReply), "error"); showWall({}); return false; }
  if (reply.wall) showWall(reply.wall); // the ack carries the new state: no need to wait
  say(done);
  return true;
}

$("wall-pause").addEventListener("click", () => control({ paused: !wall.paused }, wall.paused ? T.wall.done.resumed : T.wall.done.paused));
$("wall-blank").addEventListener("click", () => control({ blank: !wall.blank }, wall.blank ? T.wall.done.unblanked : T.wall.done.blanked));
wallControls.addEventListener("change", (e) => {
  const { name, value } = e.target;
  if (name === "layout") control({ layout: value }, T.wall.done.layout(T.wall.layouts[value]));
  if (name === "theme") control({ theme: value }, T.wall.done.theme(T.wall.themes[value]));
});
$("wall-message-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("wall-message").value.trim();
  if (!text) { say(T.wall.emptyMessage, "error"); $("wall-message").focus(); return; }
  if (await control({ message: text }, T.wall.done.message)) $("wall-message").value = "";
});
$("wall-message").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("wall-message-form").requestSubmit(); }
});
$("wall-message-clear").addEventListener("click", () => control({ message: "" }, T.wall.done.unmessage));
$("announce-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("announce-text");
  const text = input.value.trim();
  if (!text) { say(T.wall.emptyAnnouncement, "error"); input.focus(); return; }
  const reply = await send("announce", { text });
  if (!reply.ok) { say(T.failed(reply.error || T.badReply), "error"); return; }
  if (reply.wall) showWall(reply.wall);
  input.value = "";
  say(T.wall.done.announced);
});

async function unannounce(id) {
  const reply = await send("unannounce", { id });
  if (!reply.ok) { say(T.failed(reply.error || T.badReply), "error"); return; }
  if (reply.wall) showWall(reply.wall);
  say(T.wall.done.unannounced);
}

showWall({});

// -- a post by its address -------------------------------------------------------------------
$("by-url").addEventListener("submit", async (e) => {
  e.preventDefault();
  const result = $("by-url-result");
  const url = e.target.elements.url.value;
  result.textContent = T.byUrl.working;
  try {
    const response = await fetch(`${api}/posts/by-url`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": body.dataset.csrf },
      body: JSON.stringify({ url }),
    });
    const reply = await response.json().catch(() => ({}));
    result.textContent = response.ok ? (reply.new ? T.byUrl.added : T.byUrl.known) : reply.error || T.byUrl.error(response.status);
    if (response.ok) e.target.reset();
  } catch {
    result.textContent = T.notConnected;
  }
});

render();
if (document.activeElement === body) queueFocused = true; // start in the queue
