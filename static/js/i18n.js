// The page's words in the reader's language. The server puts every string that the scripts
// use, translated, in <script type="application/json" id="piazza-i18n"> (see coverage/i18n.py);
// the strings here are the English originals, which are also what a missing one falls back to.
const source = document.getElementById("piazza-i18n");
const { language = "en", strings = {} } = source ? JSON.parse(source.textContent) : {};
const plurals = new Intl.PluralRules(language);

export const lang = language;

function fill(text, params) {
  return params ? text.replace(/%\((\w+)\)s/g, (all, name) => (name in params ? String(params[name]) : all)) : text;
}

// t("Saved"), t("%(name)s is watching", { name })
export function t(message, params) {
  const found = strings[message];
  return fill(typeof found === "string" && found ? found : message, params);
}

// tn("%(num)s post", "%(num)s posts", n): `num` is filled with n, localized.
export function tn(singular, plural, n, params) {
  const forms = strings[singular];
  const one = plurals.select(n) === "one";
  const text = Array.isArray(forms) ? forms[one ? 0 : 1] : (one ? singular : plural);
  return fill(text, { num: n.toLocaleString(language), ...params });
}

// Numbers and times as the reader writes them.
export const formatNumber = (n) => n.toLocaleString(language);
export const formatTime = (date, options = { hour: "2-digit", minute: "2-digit" }) =>
  date.toLocaleTimeString(language, options);
