// The wall: approved posts only, newest first, pinned on top, featured larger.
import { connectLive } from "./live.js";
import { renderPost } from "./post.js";

const body = document.body;
const slug = body.dataset.event;
const opts = { lang: body.dataset.lang || "it", tz: body.dataset.tz || "Europe/Rome", day: body.dataset.day || "" };
const grid = document.getElementById("posts");
const pinned = document.getElementById("pinned");
const empty = document.getElementById("empty");
const status = document.getElementById("status");
const MAX_ON_WALL = 60;
const posts = new Map();
const cards = new Map(); // id -> { post, node }: unchanged posts keep their element (no flicker)

function card(post) {
  const cached = cards.get(post.id);
  if (cached && cached.post === post) return cached.node;
  const node = renderPost(post, opts);
  cards.set(post.id, { post, node });
  return node;
}

const STATUS = {
  it: { live: "In diretta", syncing: "Sincronizzazione…", offline: "Connessione persa: riprovo…", reconnecting: "Riconnessione…" },
  en: { live: "Live", syncing: "Syncing…", offline: "Connection lost: retrying…", reconnecting: "Reconnecting…" },
};

function setStatus(state) {
  status.textContent = (STATUS[opts.lang] || STATUS.it)[state] || state;
  body.dataset.connection = state;
}

function render() {
  const ordered = [...posts.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  const top = ordered.find((p) => p.pinned);
  pinned.replaceChildren(...(top ? [card(top)] : []));
  pinned.hidden = !top;
  grid.replaceChildren(...ordered.filter((p) => p !== top).slice(0, MAX_ON_WALL).map(card));
  for (const id of cards.keys()) if (!posts.has(id)) cards.delete(id);
  empty.hidden = posts.size > 0;
}

function upsert(msg) { posts.set(msg.post.id, msg.post); render(); }

connectLive("/wall", slug, {
  snapshot(msg) {
    posts.clear();
    for (const post of msg.posts) posts.set(post.id, post);
    render();
  },
  post_approved: upsert,
  post_updated: upsert,
  post_removed(msg) { posts.delete(msg.post.id); render(); },
}, setStatus);
