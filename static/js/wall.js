// The wall: approved posts only, in the layout, theme and state the editors chose (WALL in
// docs/PROTOCOL.md). It renders nothing but posts received on /wall, and a removal always
// applies at once, paused or not.
import { connectLive } from "./live.js";
import { renderPost } from "./post.js";
import { t, tn } from "./i18n.js";

const body = document.body;
const embed = body.dataset.embed === "1";
const slug = body.dataset.event;
const opts = { lang: body.dataset.lang || "it", tz: body.dataset.tz || "Europe/Rome", day: body.dataset.day || "" };
const clockOffset = Number(body.dataset.clockOffset) || 0; // seconds (replayed demo days)
const clockRate = body.dataset.clockRate === undefined ? 1 : Number(body.dataset.clockRate);
const loadedAt = Date.now();
const themeOverride = body.dataset.theme || ""; // the embed's ?theme=
const $ = (id) => document.getElementById(id);
const lead = $("lead");
const postsBox = $("posts");
const empty = $("empty");
const status = $("status");
const announcer = $("announcer");

// The wall speaks the event's language: the server hands i18n.js that language's strings.
const STATUS = {
  live: t("Live"), syncing: t("Syncing…"), offline: t("Connection lost: retrying…"),
  reconnecting: t("Reconnecting…"),
};

const DEFAULT_WALL = { layout: "grid", theme: "dark", paused: false, blank: false, message: "", announcements: [] };
const LAYOUTS = ["grid", "column", "spotlight"];
const THEMES = ["dark", "light", "contrast"];
const MAX_ON_WALL = 60; // more would only sit below the bottom edge of the screen
const RAIL = 4; // posts beside the spotlight
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

const state = {
  wall: { ...DEFAULT_WALL },
  posts: new Map(), // id -> post: every approved post received (the server's truth)
  frozen: null, // while paused: the posts as they were when the pause began (shown instead)
  viewerPaused: false, // the embed's own Pause button
  featuredAt: new Map(), // id -> seq of the message that featured it (the spotlight takes the latest)
};

// -- cards: an unchanged post keeps its element (no flicker, no restarted animation) ---------
const cards = new Map(); // id -> { post, node }
const onScreen = new Set(); // ids rendered last time
const everShown = new Set(); // ids shown at least once (a layout switch is not news)
let started = false; // the first snapshot is what the page opens with, not news

function card(post) {
  const cached = cards.get(post.id);
  if (cached && cached.post === post) return cached.node;
  const node = renderPost(post, opts);
  if (!onScreen.has(post.id)) {
    node.classList.add("arriving"); // only a post new to the screen fades in
    node.addEventListener("animationend", () => node.classList.remove("arriving"), { once: true });
  }
  cards.set(post.id, { post, node });
  return node;
}

function reconcile(parent, nodes) {
  // Move only what moved: re-inserting every card would restart animations and images.
  nodes.forEach((node, i) => {
    const current = parent.children[i];
    if (current !== node) parent.insertBefore(node, current || null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

// -- which posts, where ------------------------------------------------------------------------
const newestFirst = (a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id);

function spotlightOf(list) {
  // The most recently featured post, else the pinned one, else the newest.
  const featured = list.filter((p) => p.featured);
  if (featured.length) {
    return featured.reduce((best, p) => ((state.featuredAt.get(p.id) || 0) > (state.featuredAt.get(best.id) || 0) ? p : best));
  }
  return list.find((p) => p.pinned) || list[0] || null;
}

// Grid columns are kept per post: an arrival goes on top of the shortest column and moves
// that column only, instead of reshuffling the whole wall.
const columnOf = new Map();
let columns = [];

function columnCount() {
  if (state.wall.layout !== "grid") return 1;
  const em = parseFloat(getComputedStyle(postsBox).fontSize) || 16;
  return Math.max(1, Math.min(5, Math.floor((postsBox.clientWidth + em) / (em * 19))));
}

function estimate(post, em) {
  const lines = Math.ceil((post.text || "").length / 38) + 3;
  return em * (lines * 1.4 + ((post.media || []).length ? 9 : 0));
}

function placeInColumns(list) {
  const n = columnCount();
  if (columns.length !== n) {
    columns = Array.from({ length: n }, () => {
      const col = document.createElement("div");
      col.className = "wall-col";
      return col;
    });
    columnOf.clear();
    postsBox.replaceChildren(...columns);
  }
  const em = parseFloat(getComputedStyle(postsBox).fontSize) || 16;
  const heights = columns.map((col) => col.offsetHeight);
  for (const post of list) {
    if (columnOf.has(post.id) && columnOf.get(post.id) < n) continue;
    const shortest = heights.indexOf(Math.min(...heights));
    columnOf.set(post.id, shortest);
    heights[shortest] += estimate(post, em);
  }
  const per = columns.map(() => []);
  for (const post of list) per[columnOf.get(post.id)].push(card(post));
  columns.forEach((col, i) => reconcile(col, per[i]));
}

function render() {
  const layout = state.wall.layout;
  const shown = [...(state.frozen || state.posts).values()].sort(newestFirst);
  const top = layout === "spotlight" ? spotlightOf(shown) : shown.find((p) => p.pinned) || null;
  const rest = shown.filter((p) => p !== top).slice(0, layout === "spotlight" ? RAIL : MAX_ON_WALL);
  reconcile(lead, top ? [card(top)] : []);
  lead.hidden = !top;
  lead.setAttribute("aria-label", layout === "spotlight" ? t("In the spotlight") : t("Pinned post"));
  placeInColumns(rest);

  const now = new Set([...(top ? [top] : []), ...rest].map((p) => p.id));
  const arrived = [...now].filter((id) => !everShown.has(id));
  for (const id of arrived) everShown.add(id);
  if (embed && started && arrived.length) announce(arrived.length);
  onScreen.clear();
  for (const id of now) onScreen.add(id);
  for (const id of cards.keys()) if (!now.has(id)) cards.delete(id);
  for (const id of columnOf.keys()) if (!now.has(id)) columnOf.delete(id);
  empty.hidden = now.size > 0;
}

// The embed tells screen-reader users that posts arrived, at most twice a minute, never each one.
let pendingNews = 0;
let newsTimer = null;
function announce(n) {
  pendingNews += n;
  if (newsTimer) return;
  newsTimer = setTimeout(() => {
    announcer.textContent = tn("%(num)s new post", "%(num)s new posts", pendingNews);
    pendingNews = 0;
    newsTimer = null;
  }, 30000);
}

// -- pause: editors' (WALL.paused) or the embed reader's ---------------------------------------
function applyPause() {
  const paused = state.wall.paused || state.viewerPaused;
  if (paused && !state.frozen) state.frozen = new Map(state.posts);
  if (!paused) state.frozen = null;
  body.classList.toggle("is-paused", paused);
  body.classList.toggle("viewer-paused", state.viewerPaused);
  const button = $("viewer-pause");
  if (button) {
    button.textContent = state.viewerPaused ? t("Resume") : t("Pause");
    $("paused-note").hidden = !paused;
  }
}

// -- wall state --------------------------------------------------------------------------------
function applyWall(wall) {
  const next = { ...DEFAULT_WALL, ...(wall || {}) };
  if (!LAYOUTS.includes(next.layout)) next.layout = "grid";
  if (!THEMES.includes(next.theme)) next.theme = "dark";
  state.wall = next;
  // The embed sits on the event's web page: light, unless the page asks (?theme=) or the
  // editors chose the high-contrast theme, which every reader gets.
  const theme = themeOverride || (embed ? (next.theme === "contrast" ? "contrast" : "light") : next.theme);
  for (const name of THEMES) body.classList.toggle(`theme-${name}`, name === theme);
  for (const name of LAYOUTS) body.classList.toggle(`layout-${name}`, name === next.layout);
  body.classList.toggle("is-blank", Boolean(next.blank));
  showMessage(typeof next.message === "string" ? next.message.trim() : "");
  showTicker(Array.isArray(next.announcements) ? next.announcements : []);
  applyPause();
  render();
}

function showMessage(text) {
  const box = $("message");
  $("message-text").textContent = text;
  box.hidden = !text;
  body.classList.toggle("has-message", Boolean(text));
  // Behind a full-screen message nothing should be reachable by keyboard or screen reader.
  for (const node of document.querySelectorAll("body > header, body > main, #ticker")) node.inert = Boolean(text);
}

let tickerKey = "";
function showTicker(items) {
  const texts = items.map((a) => (a && typeof a.text === "string" ? a.text.trim() : "")).filter(Boolean);
  const key = JSON.stringify(texts) + reducedMotion.matches;
  if (key === tickerKey) return; // unchanged: let the scroll carry on where it is
  tickerKey = key;
  const ticker = $("ticker");
  const track = $("ticker-track");
  track.classList.remove("scrolling");
  track.replaceChildren(...texts.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  ticker.hidden = texts.length === 0;
  body.classList.toggle("has-ticker", texts.length > 0);
  if (!texts.length || reducedMotion.matches) return; // reduced motion: a static list
  requestAnimationFrame(() => {
    const window_ = track.parentElement;
    if (track.scrollWidth <= window_.clientWidth) return; // it fits: nothing needs to move
    const width = track.scrollWidth;
    for (const li of [...track.children]) {
      const copy = li.cloneNode(true);
      copy.setAttribute("aria-hidden", "true"); // the loop's second half, read once
      track.append(copy);
    }
    // A calm pace: about 5% of the screen's width per second (~100 px/s at 1080p).
    const pxPerSecond = Math.max(40, window.innerWidth * 0.05);
    track.style.setProperty("--ticker-seconds", `${Math.round(width / pxPerSecond)}s`);
    track.classList.add("scrolling");
  });
}
reducedMotion.addEventListener("change", () => { tickerKey = ""; showTicker(state.wall.announcements || []); });

// -- the programme: the session on stage now, by the (possibly replayed) clock ------------------
function readProgramme(list) {
  return Array.isArray(list) ? list.map((s) => ({ ...s, start: Date.parse(s.starts_at), end: Date.parse(s.ends_at) }))
    .filter((s) => !Number.isNaN(s.start) && !Number.isNaN(s.end)).sort((a, b) => a.start - b.start) : [];
}
let programme = [];
try {
  programme = readProgramme(JSON.parse($("programme").textContent));
} catch {
  programme = [];
}

function clockTime(ms) {
  try {
    return new Intl.DateTimeFormat(opts.lang, { hour: "2-digit", minute: "2-digit", timeZone: opts.tz }).format(new Date(ms));
  } catch {
    return new Date(ms).toISOString().slice(11, 16);
  }
}

function showSession() {
  // The event's clock: where it was when the page loaded, running at the replay's pace.
  const now = loadedAt + clockOffset * 1000 + (Date.now() - loadedAt) * clockRate;
  const current = programme.find((s) => s.start <= now && now < s.end);
  const next = current ? null : programme.find((s) => s.start > now && s.start - now <= 90 * 60 * 1000);
  const session = current || next;
  $("session").hidden = !session;
  if (!session) return;
  $("session-label").textContent = current ? t("Now on stage") : t("Up next");
  $("session-when").textContent = `${clockTime(session.start)}–${clockTime(session.end)}`;
  $("session-title").textContent = session.title;
  const who = (session.speakers || []).filter(Boolean).join(", ");
  $("session-who").textContent = [who, session.room].filter(Boolean).join(" · ");
}
showSession();
setInterval(showSession, 15000);

// -- the reader's Pause button (embed) ---------------------------------------------------------
const pauseButton = $("viewer-pause");
if (pauseButton) {
  pauseButton.addEventListener("click", () => {
    state.viewerPaused = !state.viewerPaused;
    applyPause();
    render();
  });
}

// -- connection --------------------------------------------------------------------------------
function setStatus(name) {
  status.textContent = STATUS[name] || name;
  body.dataset.connection = name;
}

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (columnCount() !== columns.length) render(); }, 200);
});

function remember(post, seq) {
  const before = state.posts.get(post.id);
  if (post.featured && !(before && before.featured)) state.featuredAt.set(post.id, seq);
  if (!post.featured) state.featuredAt.delete(post.id);
  state.posts.set(post.id, post);
}

function upsert(msg) {
  remember(msg.post, msg.seq);
  render(); // while paused, render() shows the frozen set: the new post waits
}

function remove(msg) {
  // Always at once, paused or not: a wall never keeps a post the editors took down.
  state.posts.delete(msg.post.id);
  state.featuredAt.delete(msg.post.id);
  if (state.frozen) state.frozen.delete(msg.post.id);
  render();
}

applyWall(DEFAULT_WALL); // until the server says otherwise (older servers never do)

connectLive("/wall", slug, {
  snapshot(msg) {
    state.posts.clear();
    state.featuredAt.clear();
    for (const post of msg.posts) remember(post, 0);
    // Paused through a snapshot: keep showing only what is still approved.
    if (state.frozen) {
      for (const id of [...state.frozen.keys()]) if (!state.posts.has(id)) state.frozen.delete(id);
    }
    if (msg.wall) applyWall(msg.wall); else render();
    started = true;
  },
  post_approved: upsert,
  post_updated: upsert,
  post_removed: remove,
  wall_state(msg) { applyWall(msg.wall); },
  // The lead changed the programme (a session slipped): the header follows at once.
  programme(msg) { programme = readProgramme(msg.sessions); showSession(); },
}, setStatus);
