/* Piazza recap: the platforms' own embeds, loaded only when a reader opens one. Until then the
   page asks nothing of anyone: each embed waits in a <template> and no platform script is added.
   Without this script the disclosures stay hidden and the first-party posts are the whole story. */
(function () {
  "use strict";
  var asked = {};
  var boxes = document.querySelectorAll("details.piazza-native[hidden]");
  for (var i = 0; i < boxes.length; i++) boxes[i].hidden = false;
  // "toggle" does not bubble: listen while it travels down (capture).
  document.addEventListener("toggle", function (event) {
    var box = event.target;
    if (!box.open || !box.classList || !box.classList.contains("piazza-native")
        || box.getAttribute("data-piazza-shown")) return;
    box.setAttribute("data-piazza-shown", "1");
    var template = box.querySelector("template");
    if (template) box.appendChild(template.content.cloneNode(true));
    var kind = box.getAttribute("data-piazza-embed");
    var src = box.getAttribute("data-piazza-script");
    if (kind === "x" && window.twttr && window.twttr.widgets) { window.twttr.widgets.load(box); return; }
    if (kind === "bluesky" && window.bluesky && window.bluesky.scan) { window.bluesky.scan(box); return; }
    // X's and Bluesky's scripts look over the page when they arrive: one request is enough.
    if (asked[src] && (kind === "x" || kind === "bluesky")) return;
    asked[src] = true;
    var script = document.createElement("script");
    script.async = true;
    script.charset = "utf-8";
    script.src = src;
    if (kind === "mastodon") script.setAttribute("data-allowed-prefixes", src.replace(/embed\.js$/, ""));
    document.body.appendChild(script);
  }, true);
})();
