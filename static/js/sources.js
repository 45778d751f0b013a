// The sources page: health refreshes by itself; test, pause and add sources through the API.
const body = document.body;
const slug = body.dataset.event;
const headers = { "Content-Type": "application/json", "X-CSRFToken": body.dataset.csrf };
const list = document.getElementById("sources-list");
const row = document.getElementById("source-row");
const status = document.getElementById("sources-status");
const HEALTH = { ok: "✓ funziona", new: "in attesa della prima lettura", slowed: "⏸ rallentata dalla piattaforma", failing: "✗ in errore" };
const NAMES = { mastodon: "Mastodon", bluesky: "Bluesky", x: "X", rss: "RSS", replay: "Replay (demo)" };

async function api(path, data) {
  const response = await fetch(`/api/events/${slug}${path}`, data === undefined
    ? { headers } : { method: "POST", headers, body: JSON.stringify(data) });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error || `Errore ${response.status}`);
  return payload;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString("it-IT", { hour: "2-digit", minute: "2-digit" }) : "";
}

function card(source) {
  const node = row.content.firstElementChild.cloneNode(true);
  node.dataset.id = String(source.id);
  node.querySelector(".source-name").textContent = source.name || NAMES[source.platform];
  node.querySelector(".source-platform").textContent = NAMES[source.platform] || source.platform;
  const health = node.querySelector(".health");
  health.textContent = source.enabled ? (HEALTH[source.health] || source.health) : "sospesa";
  health.className = `health health-${source.enabled ? source.health : "paused"}`;
  const detail = [];
  if (source.last_error) detail.push(source.last_error);
  if (source.last_ok_at) detail.push(`ultima lettura riuscita alle ${time(source.last_ok_at)}`);
  if (source.next_try_at && source.health !== "ok") detail.push(`nuovo tentativo alle ${time(source.next_try_at)}`);
  node.querySelector(".source-detail").textContent = detail.join(" · ");
  if (source.cost) {
    const cost = node.querySelector(".source-cost");
    cost.hidden = false;
    cost.textContent = `Con questa impostazione: circa ${Math.round(source.cost.posts_per_hour)} post letti all'ora ` +
      `(${Math.round(source.cost.requests_per_hour)} richieste/ora; tetto ${source.cost.cap_per_hour} post/ora).`;
  }
  const toggle = node.querySelector('[data-action="toggle"]');
  toggle.textContent = source.enabled ? "Sospendi" : "Riprendi";
  toggle.hidden = body.dataset.role !== "admin";
  const result = node.querySelector(".source-result");
  node.querySelector('[data-action="test"]').addEventListener("click", async () => {
    result.textContent = "Prova in corso…";
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
    status.textContent = sources.length ? "" : "Nessuna fonte: collegane una qui sotto.";
  } catch (err) {
    status.textContent = `Non riesco a leggere lo stato delle fonti: ${err.message}`;
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
      mastodon: "(l'istanza, es. https://mastodon.social)",
      bluesky: "(facoltativo: vuoto per https://bsky.social)",
      x: "(facoltativo: vuoto per https://api.x.com)",
      rss: "(l'indirizzo del feed)" }[platform.value];
  };
  platform.addEventListener("change", showFor);
  showFor();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = document.getElementById("add-result");
    const data = Object.fromEntries(new FormData(form));
    try {
      await api("/sources", data);
      result.textContent = "Fonte collegata: la prima lettura arriva entro pochi secondi.";
      form.reset();
      showFor();
      refresh();
    } catch (err) { result.textContent = err.message; }
  });
}

refresh();
setInterval(refresh, 10000);
