// The people page: copy a new one-time link with one click (the field stays selectable
// by hand where the clipboard is not available).
import { t } from "./i18n.js";

const button = document.getElementById("copy-link");
if (button) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = t("Link copied: paste it in your message.");
    } catch {
      status.textContent = t("Copying is not allowed here: the link is selected, press Ctrl+C.");
    }
  });
}
