// The sources page: health refreshes by itself; test, pause and add sources through the API.
import { formatNumber, formatTime, t, tn } from "./i18n.js";

const body = document.body;
const slug = body.dataset.event;
const headers = { "Content-Type": "application/json", "X-CSRFToken": body.dataset.csrf };
const list = document.getElementById("sources-list");
const row = document.getElementById("source-row");
const status = document.getElementById("sources-status");
const HEALTH = {
  ok: t("✓ working"), new: t("waiting for the first read"),
  slowed: t("⏸ slowed down by the platform"), failing: t("✗ failing"),
};
const NAMES = { mastodon: "Mastodon", bluesky: "Bluesky", x: "X", rss: "RSS", replay: t("Replay (demo)") };

async function api(path, data) {
  const response = await fetch(`/api/events/${slug}${path}`, data === undefined
    ? { headers } : { method: "POST", headers, body: JSON.stringify(data) });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error || t("Error %(status)s", { status: response.status }));
  return payload;
}

function time(iso) {
  // The reader's language, the event's clock.
  if (!iso) return "";
  try {
    return formatTime(new Date(iso), { hour: "2-digit", minute: "2-digit", timeZone: body.dataset.tz || "Europe/Rome" });
  } catch {
    return formatTime(new Date(iso));
  }
}

function card(source) {
  const node = row.content.firstElementChild.cloneNode(true);
  node.dataset.id = String(source.id);
  node.querySelector(".source-name").textContent = source.name || NAMES[source.platform];
  node.querySelector(".source-platform").textContent = NAMES[source.platform] || source.platform;
  const health = node.querySelector(".health");
  health.textContent = source.enabled ? (HEALTH[source.health] || source.health) : t("suspended");
  health.className = `health health-${source.enabled ? source.health : "paused"}`;
  const detail = [];
  if (source.posts !== undefined) {
    // During the first read (the history since the event began) the count grows page by page.
    detail.push(source.health === "new" && source.enabled
      ? tn("first read under way: %(num)s post so far", "first read under way: %(num)s posts so far", source.posts)
      : tn("%(num)s post collected", "%(num)s posts collected", source.posts));
  }
  if (source.last_error) detail.push(source.last_error);
  if (source.last_ok_at) detail.push(t("last good read at %(time)s", { time: time(source.last_ok_at) }));
  if (source.next_try_at && source.health !== "ok") detail.push(t("next try at %(time)s", { time: time(source.next_try_at) }));
  node.querySelector(".source-detail").textContent = detail.join(" · ");
  if (source.cost) {
    const cost = node.querySelector(".source-cost");
    cost.hidden = false;
    cost.textContent = tn(
      "With this setting: about %(num)s post read per hour (%(requests)s requests/hour; cap %(cap)s posts/hour).",
      "With this setting: about %(num)s posts read per hour (%(requests)s requests/hour; cap %(cap)s posts/hour).",
      Math.round(source.cost.posts_per_hour),
      { requests: formatNumber(Math.round(source.cost.requests_per_hour)), cap: formatNumber(source.cost.cap_per_hour) });
  }
  const toggle = node.querySelector('[data-action="toggle"]');
  toggle.textContent = source.enabled ? t("Suspend") : t("Resume");
  toggle.hidden = body.dataset.role !== "admin";
  const result = node.querySelector(".source-result");
  node.querySelector('[data-action="test"]').addEventListener("click", async () => {
    result.textContent = t("Testing…");
    try {
      const reply = await api(`/sources/${source.id}/test`, {});
      result.textContent = reply.message;
    } catch (err) { result.textContent = err.message; }
  });
  toggle.addEventListener("click", async () => {
    try { await api(`/sources/${source.id}/enabled`, { enabled: !source.enabled }); refresh(); }
    catch (err) { result.textContent = err.message; }
  });
  return node;
}

async function refresh() {
  try {
    const sources = await api("/sources");
    list.replaceChildren(...sources.map(card));
    status.textContent = sources.length ? "" : t("No sources: connect one below.");
  } catch (err) {
    status.textContent = t("Cannot read the state of the sources: %(why)s", { why: err.message });
  }
}

const form = document.getElementById("add-source");
if (form) {
  const platform = form.elements.platform;
  const showFor = () => {
    for (const el of form.querySelectorAll("[data-for]")) el.hidden = el.dataset.for !== platform.value;
    form.elements.instance.required = platform.value === "mastodon" || platform.value === "rss";
    form.elements.instance.placeholder = { mastodon: "https://mastodon.social", bluesky: "https://bsky.social",
      x: "https://api.x.com", rss: "https://www.comune.example/feed.xml" }[platform.value];
    document.getElementById("instance-hint").textContent = {
      mastodon: t("(the instance, e.g. https://mastodon.social)"),
      bluesky: t("(optional: empty for https://bsky.social)"),
      x: t("(optional: empty for https://api.x.com)"),
      rss: t("(the address of the feed)") }[platform.value];
  };
  platform.addEventListener("change", showFor);
  showFor();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = document.getElementById("add-result");
    const data = Object.fromEntries(new FormData(form));
    try {
      await api("/sources", data);
      result.textContent = t("Source connected: the first read comes within a few seconds.");
      form.reset();
      showFor();
      refresh();
    } catch (err) { result.textContent = err.message; }
  });
}

refresh();
setInterval(refresh, 10000);
