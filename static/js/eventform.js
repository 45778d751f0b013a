// The event's settings page: the address suggested from the name while it is new, and session
// rows added in the page. Without this script the form still works: the server suggests the
// address, and “Add a session” asks it for one more empty row.
import { t } from "./i18n.js";

const slug = document.querySelector("[data-suggest-from]");
if (slug) {
  const name = document.getElementById(slug.dataset.suggestFrom);
  let typed = slug.value !== "";
  const suggest = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  slug.addEventListener("input", () => { typed = slug.value !== ""; });
  name.addEventListener("input", () => { if (!typed) slug.value = suggest(name.value); });
}

const sessions = document.getElementById("sessions");
const template = document.getElementById("session-template");
const add = document.getElementById("add-session");
const status = document.getElementById("sessions-status");
if (sessions && template && add) {
  add.addEventListener("click", (event) => {
    event.preventDefault();
    const used = [...sessions.querySelectorAll("[data-row]")].map((row) => Number(row.dataset.row));
    const n = used.length ? Math.max(...used) + 1 : 0;
    const row = template.content.firstElementChild.cloneNode(true);
    for (const node of [row, ...row.querySelectorAll("*")]) {
      for (const attr of [...node.attributes]) {
        if (attr.value.includes("__N__")) attr.value = attr.value.replaceAll("__N__", String(n));
      }
    }
    sessions.append(row);
    row.querySelector("input[name$='-title']").focus();
    if (status) status.textContent = t("Empty session added at the end of the programme.");
  });
}
