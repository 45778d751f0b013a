// One post card, built with DOM calls: text goes in with textContent, and the only HTML set
// is `post.html`, which the server produced with its allowlist sanitizer. Its words and times
// are in the page's language (i18n.js): the reader's in the console, the event's on the wall.
import { lang, t } from "./i18n.js";

const PLATFORM = { mastodon: "Mastodon", bluesky: "Bluesky", x: "X", rss: "RSS" };

export function safeUrl(url) {
  if (typeof url !== "string" || url === "") return "";
  if (url.startsWith("/") && !url.startsWith("//")) return url; // bundled files
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "";
  } catch {
    return "";
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function formatPostTime(iso, tz, day = "") {
  // The time alone on the event's day; with the date on any other day (in the event's time
  // zone, written as the page's language writes times).
  try {
    const date = new Date(iso);
    const sameDay = day && new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(date) === day;
    const options = { hour: "2-digit", minute: "2-digit", timeZone: tz };
    if (!sameDay) Object.assign(options, { day: "numeric", month: "short" });
    return new Intl.DateTimeFormat(lang, options).format(date);
  } catch {
    return iso;
  }
}

function initials(name) {
  return (name || "?").replace(/^@/, "").split(/\s+/).slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase()).join("");
}

export function renderPost(post, { tz = "Europe/Rome", day = "", images = true } = {}) {
  const card = el("article", `post post-${post.platform}`);
  card.dataset.id = String(post.id);
  if (post.featured) card.classList.add("featured");
  if (post.pinned) card.classList.add("pinned");

  const head = el("header", "post-head");
  const avatarUrl = safeUrl(post.author && post.author.avatar);
  const badge = el("span", "avatar avatar-initials", initials(post.author.name || post.author.handle));
  badge.setAttribute("aria-hidden", "true");
  if (images && avatarUrl) {
    const img = el("img", "avatar");
    img.src = avatarUrl;
    img.alt = "";
    img.loading = "lazy";
    img.referrerPolicy = "no-referrer";
    img.addEventListener("error", () => img.replaceWith(badge), { once: true });
    head.append(img);
  } else {
    head.append(badge);
  }
  const who = el("div", "who");
  const name = post.author.name || post.author.handle;
  who.append(el("span", "name", name));
  if (post.author.handle && post.author.handle !== name) who.append(el("span", "handle", post.author.handle));
  head.append(who);
  head.append(el("span", "platform", PLATFORM[post.platform] || post.platform));
  card.append(head);

  if (post.reposted_by) {
    card.append(el("p", "repost", t("Reposted by %(name)s", { name: post.reposted_by.name || post.reposted_by.handle })));
  }
  if (post.reply_to) card.append(el("p", "reply-marker", t("Replying")));
  if (post.spoiler) card.append(el("p", "spoiler", post.spoiler));

  const body = el("div", "post-text");
  body.innerHTML = post.html; // sanitized on the server (coverage/sanitize.py)
  // Screen readers switch voice when a post is in another language than the page.
  if (typeof post.language === "string" && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(post.language)) body.lang = post.language;
  card.append(body);

  if (post.quote_of && post.quote_of.text) {
    const quote = el("blockquote", "quote");
    quote.append(el("p", null, post.quote_of.text));
    if (post.quote_of.author) quote.append(el("footer", null, `— ${post.quote_of.author.name || post.quote_of.author.handle}`));
    card.append(quote);
  }

  const media = (post.media || []).filter((m) => safeUrl(m.preview_url || m.url));
  if (media.length && images) {
    const gallery = el("div", `media media-${Math.min(media.length, 4)}`);
    for (const m of media.slice(0, 4)) {
      const figure = el("figure");
      const img = el("img");
      img.src = safeUrl(m.preview_url || m.url);
      img.alt = m.alt || "";
      img.loading = "lazy";
      img.referrerPolicy = "no-referrer";
      if (post.sensitive) img.classList.add("sensitive");
      figure.append(img);
      if (!m.alt) figure.append(el("figcaption", "no-alt", t("Image without description")));
      gallery.append(figure);
    }
    card.append(gallery);
  }

  const foot = el("footer", "post-foot");
  const time = el("time", null, formatPostTime(post.created_at, tz, day));
  time.dateTime = post.created_at;
  const link = safeUrl(post.url);
  if (link) {
    const a = el("a");
    a.href = link;
    a.rel = "nofollow noopener noreferrer";
    a.target = "_blank";
    a.append(time);
    foot.append(a);
  } else {
    foot.append(time);
  }
  card.append(foot);
  return card;
}
