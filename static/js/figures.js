// The figures page keeps itself up to date while it is open: it fetches the panel again after
// the changes the /console namespace announces (at most every few seconds) and at least every
// `data-refresh` seconds, pauses while the tab is hidden or when the reader asks (WCAG 2.2.2),
// and swaps in only what changed, keeping focus, open tables and the scroll position. Nothing
// is announced to screen readers but problems (the status line); "updated at" is plain text.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { t } from "./i18n.js";

const body = document.body;
const panelUrl = body.dataset.panel;
const every = Number(body.dataset.refresh || 15) * 1000;
const MIN_GAP = 3000; // ms between two refreshes that changes ask for: a burst costs one
const updated = document.getElementById("figures-updated");
const status = document.getElementById("figures-status");
const pauseButton = document.getElementById("figures-pause");

let paused = false;
let inFlight = false;
let stopped = false; // the session ended: nothing more to fetch
let changedSince = false; // a change was announced after the last refresh started
let lastRun = Date.now(); // the page itself is the first refresh
let timer = null;
let timerAt = Infinity;

function say(text) {
  if (status.textContent !== text) status.textContent = text;
}

// Run `refresh` in `delay` ms, unless it is already due sooner.
function schedule(delay) {
  const at = Date.now() + delay;
  if (timer !== null && at >= timerAt) return;
  clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(() => { timer = null; timerAt = Infinity; refresh(); }, Math.max(delay, 0));
}

function cancel() {
  clearTimeout(timer);
  timer = null;
  timerAt = Infinity;
}

async function refresh() {
  if (stopped || paused || document.hidden) return; // resuming or showing the tab starts again
  if (inFlight) { changedSince = true; return; }
  inFlight = true;
  changedSince = false;
  lastRun = Date.now();
  try {
    const response = await fetch(panelUrl, { credentials: "same-origin", cache: "no-store",
                                             headers: { Accept: "text/html" } });
    if (response.redirected || response.status === 401 || response.status === 403) {
      stopped = true;
      say(t("Your session has ended: reload the page and log in again to see the figures update."));
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    apply(await response.text());
    say("");
  } catch {
    say(t("The figures could not be updated: trying again in %(seconds)s seconds.",
          { seconds: Math.round(every / 1000) }));
  } finally {
    inFlight = false;
    if (!stopped) schedule(changedSince ? MIN_GAP : every);
  }
}

// Something changed in the event (a post arrived, an editor decided…).
function changed() {
  changedSince = true;
  if (!inFlight) schedule(Math.max(lastRun + MIN_GAP - Date.now(), 250));
}

// -- swapping in the new panel ----------------------------------------------------------------
function apply(html) {
  const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("figures-panel");
  const current = document.getElementById("figures-panel");
  if (!fresh || !current) return;
  updated.textContent = t("Updated at %(time)s", { time: fresh.dataset.updatedText });
  // What the reader opened stays open (and must not count as a difference).
  for (const details of current.querySelectorAll("details[id]")) {
    const twin = fresh.querySelector(`#${CSS.escape(details.id)}`);
    if (twin) twin.open = details.open;
  }
  const focusKey = keyOf(document.activeElement, current);
  const { scrollX, scrollY } = window;
  morph(current, fresh);
  if (focusKey && !current.contains(document.activeElement)) {
    const target = current.querySelector(focusKey);
    if (target) target.focus({ preventScroll: true });
  }
  if (window.scrollX !== scrollX || window.scrollY !== scrollY) window.scrollTo(scrollX, scrollY);
}

// A selector that finds the focused element again in the new panel.
function keyOf(element, panel) {
  if (!element || !panel.contains(element) || element === panel) return null;
  if (element.id) return `#${CSS.escape(element.id)}`;
  const details = element.closest("details[id]");
  if (element.tagName === "SUMMARY" && details) return `#${CSS.escape(details.id)} > summary`;
  return null;
}

// Same tag, and children with the same tags and ids in the same order: only the children that
// differ need replacing.
function sameShape(a, b) {
  if (a.tagName !== b.tagName || a.children.length !== b.children.length || !a.children.length) {
    return false;
  }
  for (let i = 0; i < a.children.length; i += 1) {
    const x = a.children[i];
    const y = b.children[i];
    if (x.tagName !== y.tagName || x.id !== y.id) return false;
  }
  return true;
}

function sameAttributes(a, b) {
  if (a.attributes.length !== b.attributes.length) return false;
  for (const { name, value } of a.attributes) {
    if (b.getAttribute(name) !== value) return false;
  }
  return true;
}

function morph(from, to) {
  if (from.isEqualNode(to)) return;
  if (sameShape(from, to)) {
    for (let i = 0; i < from.children.length; i += 1) morph(from.children[i], to.children[i]);
    if (!sameAttributes(from, to)) {
      for (const { name } of [...from.attributes]) if (!to.hasAttribute(name)) from.removeAttribute(name);
      for (const { name, value } of to.attributes) from.setAttribute(name, value);
    }
    if (from.isEqualNode(to)) return; // what differed was inside the children
  }
  if (from.id === "figures-panel") { // the panel itself stays (the page holds on to it)
    from.replaceChildren(...[...to.childNodes].map((node) => document.importNode(node, true)));
    return;
  }
  from.replaceWith(document.importNode(to, true));
}

// -- the reader's controls, the tab, the live connection ---------------------------------------
pauseButton.hidden = false;
pauseButton.addEventListener("click", () => {
  paused = !paused;
  pauseButton.setAttribute("aria-pressed", String(paused));
  pauseButton.textContent = paused ? t("Resume updates") : t("Pause updates");
  if (paused) {
    cancel();
    say(t("Updates paused."));
  } else {
    say("");
    refresh();
  }
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    cancel();
  } else if (changedSince || Date.now() - lastRun >= every) {
    refresh();
  } else {
    schedule(every - (Date.now() - lastRun));
  }
});

// Told by the server that the event changed (one small frame per burst, never the posts);
// after a reconnect something may have been missed, so that counts as a change too.
const socket = io("/console", { auth: { event: body.dataset.event, watch: true },
  transports: ["websocket", "polling"], tryAllTransports: true, reconnectionDelayMax: 5000 });
socket.on("changed", changed);
socket.io.on("reconnect", changed);
schedule(every);
