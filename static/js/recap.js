// The recap builder: edits are plain data (see coverage/recap check_edits); every change asks the
// server for the preview, so what you see is what the export will be. The builder speaks the
// reader's language; the preview, like the recap, the event's.
import { formatTime, t, tn } from "./i18n.js";

const body = document.body;
const slug = body.dataset.event;
const headers = { "Content-Type": "application/json", "X-CSRFToken": body.dataset.csrf };
const form = document.getElementById("builder");
const sectionsBox = document.getElementById("sections");
const removedBox = document.getElementById("removed");
const preview = document.getElementById("preview");
const status = document.getElementById("save-status");
const sectionTpl = document.getElementById("section-tpl");
const postTpl = document.getElementById("post-tpl");
let outline = null;
let edits = null;
let timer = null;

async function call(method, path, data) {
  const response = await fetch(`/api/events/${slug}${path}`, {
    method, headers, body: data === undefined ? undefined : JSON.stringify(data) });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error || t("Error %(status)s", { status: response.status }));
  return payload;
}

function postEdit(id) {
  const key = String(id);
  edits.posts[key] = edits.posts[key] || { section: "", position: null, removed: false, words: "" };
  return edits.posts[key];
}

function sectionEdit(key) {
  let found = edits.sections.find((s) => s.key === key);
  if (!found) {
    found = { key, title: "", intro: "", merge: [] };
    edits.sections.push(found);
  }
  return found;
}

// Rebuild the edits' structure from what the builder shows: section order and post positions.
function captureOrder() {
  const keys = [...sectionsBox.children].map((f) => f.dataset.key);
  edits.sections = keys.map((key) => sectionEdit(key));
  for (const fieldset of sectionsBox.children) {
    [...fieldset.querySelectorAll(".recap-post")].forEach((li, position) => {
      Object.assign(postEdit(li.dataset.id), { section: fieldset.dataset.key, position });
    });
  }
}

function when(iso) {
  // In the event's time zone, as the recap shows it; in the reader's language.
  return formatTime(new Date(iso), { hour: "2-digit", minute: "2-digit", timeZone: body.dataset.tz || "Europe/Rome" });
}

function render() {
  form.elements.title.value = edits.title || outline.title;
  form.elements.intro.value = edits.intro || outline.intro;
  form.elements.conclusion.value = edits.conclusion || outline.conclusion;
  form.elements.embeds.checked = edits.embeds;
  for (const radio of form.elements.order) radio.checked = radio.value === edits.order;
  sectionsBox.replaceChildren(...outline.sections.map((section, index) => {
    const node = sectionTpl.content.firstElementChild.cloneNode(true);
    node.dataset.key = section.key;
    const name = section.session || t("Outside the programme");
    node.querySelector(".section-legend").textContent = section.merged.length
      ? tn("%(position)s. %(name)s (+%(num)s merged)", "%(position)s. %(name)s (+%(num)s merged)",
        section.merged.length, { position: index + 1, name })
      : `${index + 1}. ${name}`;
    const title = node.querySelector('[name="section-title"]');
    title.value = section.title;
    title.addEventListener("input", () => { sectionEdit(section.key).title = title.value; schedule(); });
    const intro = node.querySelector('[name="section-intro"]');
    intro.value = section.intro;
    intro.addEventListener("input", () => { sectionEdit(section.key).intro = intro.value; schedule(); });
    node.querySelector('[data-act="merge"]').disabled = index === 0;
    const split = node.querySelector('[data-act="split"]');
    split.hidden = !section.merged.length;
    node.querySelector(".section-tools").addEventListener("click", (e) => {
      const act = e.target.dataset.act;
      if (!act) return;
      captureOrder();
      const at = edits.sections.findIndex((s) => s.key === section.key);
      if (act === "up" && at > 0) edits.sections.splice(at - 1, 0, edits.sections.splice(at, 1)[0]);
      if (act === "down" && at < edits.sections.length - 1) edits.sections.splice(at + 1, 0, edits.sections.splice(at, 1)[0]);
      if (act === "merge" && at > 0) {
        const into = edits.sections[at - 1];
        into.merge = [...new Set([...into.merge, section.key, ...sectionEdit(section.key).merge])];
        sectionEdit(section.key).merge = [];
      }
      if (act === "split") sectionEdit(section.key).merge = [];
      refresh(true);
    });
    const list = node.querySelector(".recap-posts");
    list.replaceChildren(...section.posts.map((post) => postRow(post)));
    for (const select of list.querySelectorAll('[data-act="move"]')) select.value = section.key;
    list.addEventListener("dragover", (e) => { e.preventDefault(); });
    list.addEventListener("drop", (e) => {
      e.preventDefault();
      const dragged = sectionsBox.querySelector(`.recap-post[data-id="${e.dataTransfer.getData("text/plain")}"]`);
      const target = e.target.closest(".recap-post");
      if (!dragged) return;
      if (target && target !== dragged) target.before(dragged); else list.append(dragged);
      captureOrder();
      refresh(true);
    });
    return node;
  }));
  const removed = Object.entries(edits.posts).filter(([, e]) => e.removed);
  removedBox.replaceChildren();
  if (removed.length) {
    const heading = document.createElement("h3");
    heading.textContent = tn("%(num)s post taken out of the recap", "%(num)s posts taken out of the recap", removed.length);
    const list = document.createElement("ul");
    for (const [id] of removed) {
      const item = document.createElement("li");
      const back = document.createElement("button");
      back.type = "button";
      back.className = "secondary";
      back.textContent = t("Put post %(id)s back", { id });
      back.addEventListener("click", () => { postEdit(id).removed = false; refresh(true); });
      item.append(back);
      list.append(item);
    }
    removedBox.append(heading, list);
  }
}

function postRow(post) {
  const li = postTpl.content.firstElementChild.cloneNode(true);
  li.dataset.id = String(post.id);
  li.querySelector(".who").textContent = post.author;
  li.querySelector(".when").textContent = `${when(post.created_at)} · ${post.platform}`;
  li.querySelector(".star").hidden = !post.featured;
  li.querySelector(".excerpt").textContent = post.text;
  const move = li.querySelector('[data-act="move"]');
  for (const section of outline.sections) {
    const option = document.createElement("option");
    option.value = section.key;
    option.textContent = section.title;
    move.append(option);
  }
  li.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", String(post.id)));
  li.querySelector(".post-tools").addEventListener("click", (e) => {
    const act = e.target.dataset.act;
    if (act === "up" && li.previousElementSibling) li.previousElementSibling.before(li);
    else if (act === "down" && li.nextElementSibling) li.nextElementSibling.after(li);
    else if (act === "remove") { postEdit(post.id).removed = true; li.remove(); }
    else return;
    captureOrder();
    refresh(act === "remove");
    if (act !== "remove") e.target.focus();
  });
  move.addEventListener("change", () => {
    captureOrder();
    Object.assign(postEdit(post.id), { section: move.value, position: null });
    refresh(true);
  });
  const words = li.querySelector('[name="words"]');
  words.value = post.words;
  if (post.words) li.querySelector("details").open = true;
  words.addEventListener("input", () => { postEdit(post.id).words = words.value; schedule(); });
  return li;
}

function schedule() {
  clearTimeout(timer);
  status.textContent = t("Unsaved changes.");
  timer = setTimeout(() => refresh(false), 400);
}

// Ask the server for the preview; rebuild the builder only when the structure changed (so typing
// never loses focus).
async function refresh(structural) {
  try {
    const reply = await call("POST", "/recap/preview", edits);
    preview.innerHTML = reply.html; // rendered by the server's autoescaping templates
    outline = reply.outline;
    if (structural) render();
    status.textContent = t("Unsaved changes.");
  } catch (err) {
    status.textContent = err.message;
  }
}

for (const name of ["title", "intro", "conclusion"]) {
  form.elements[name].addEventListener("input", () => { edits[name] = form.elements[name].value; schedule(); });
}
for (const radio of form.elements.order) radio.addEventListener("change", () => { edits.order = radio.value; refresh(true); });
form.elements.embeds.addEventListener("change", () => { edits.embeds = form.elements.embeds.checked; refresh(false); });
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  captureOrder();
  try {
    outline = await call("PUT", "/recap", edits);
    edits = outline.edits;
    render();
    status.textContent = t("Saved.");
  } catch (err) {
    status.textContent = err.message;
  }
});

(async () => {
  outline = await call("GET", "/recap");
  edits = outline.edits;
  render();
})();

// Downloads: an archive with its images can take a while to build, so the file is fetched
// here with a progress line (and a plain error if it fails) instead of a silent link.
const downloadStatus = document.getElementById("download-status");
let downloading = false;
for (const link of document.querySelectorAll(".recap-downloads a")) {
  link.addEventListener("click", async (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    if (downloading) return;
    downloading = true;
    const words = downloadStatus.querySelector("span");
    const started = Date.now();
    const say = () => {
      const seconds = Math.round((Date.now() - started) / 1000);
      words.textContent = t("Preparing “%(name)s”… %(seconds)s s", { name: link.textContent, seconds });
    };
    downloadStatus.hidden = false;
    downloadStatus.querySelector("progress").hidden = false;
    say();
    const ticker = setInterval(say, 1000);
    try {
      const response = await fetch(link.href);
      if (!response.ok) throw new Error(t("Error %(status)s", { status: response.status }));
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "recap";
      const url = URL.createObjectURL(await response.blob());
      const save = Object.assign(document.createElement("a"), { href: url, download: name });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      words.textContent = t("“%(name)s” is ready: %(file)s", { name: link.textContent, file: name });
    } catch (err) {
      words.textContent = t("The file could not be prepared (%(why)s). Try again; if it fails again, download the HTML page.",
        { why: err.message });
    } finally {
      clearInterval(ticker);
      downloadStatus.querySelector("progress").hidden = true;
      downloading = false;
    }
  });
}
