"""Pure moderation rules: states, actions, reasons, the lead's rules, the wall's state.
No SQL, and no app or request needed: messages go through the catalog, which answers in the
reader's language during a request and in English (the source strings) outside one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _

from .model import Post

STATES = ("pending", "approved", "rejected")

def N_(message: str) -> str:
    """Mark a string for the catalog, to be translated where it is shown."""
    return message


# Reasons for rejecting, after the social media policies of Italian public bodies: code -> words,
# English here and in the catalog (translated where shown, e.g. gettext(REASONS[code])).
REASONS: dict[str, str] = {
    "insult": N_("Insults or threats"),
    "discrimination": N_("Discrimination"),
    "personal_data": N_("Other people's personal data"),
    "off_topic": N_("Off-topic"),
    "spam": N_("Spam"),
    "advertising": N_("Advertising"),
    "illegal": N_("Illegal content"),
    "copyright": N_("Copyright infringement"),
    "duplicate": N_("Duplicate"),
    "other": N_("Other"),
}

ACTIONS = ("approve", "reject", "pending", "feature", "unfeature", "pin", "unpin", "note",
           "session")

_KINDS = {
    "approve": "post_approved", "reject": "post_rejected", "pending": "post_pending",
    "feature": "post_featured", "unfeature": "post_unfeatured", "pin": "post_pinned",
    "unpin": "post_unpinned", "note": "post_noted", "session": "post_session",
}


class ActionError(ValueError):
    """An action that does not exist or lacks what it needs."""


# Who decided, in the audit log and the figures, when one of the lead's rules did.
RULES_ACTOR = "regola"

# Reasons a rule (not a person) gives; always accepted besides the event's own list.
SYSTEM_REASONS: dict[str, str] = {"banned": N_("Blocked account"),
                                  "rule": N_("Hidden by a rule")}

# Starting lists for blocked words, Italian and English: spam, scams and common insults.
# Plain words match whole words, case-insensitive; /pattern/flags are regular expressions.
DEFAULT_BLOCKED = [
    "truffa", "idiota", "idioti", "imbecille", "imbecilli", "cretino", "cretini", "schifo",
    "/\\bguadagn\\w*\\s+\\d+\\s*(€|euro)/i", "/\\bcompra(re)?\\s+(i\\s+)?follower/i",
    "/\\bfollower\\s+(gratis|veri)/i", "bitcoin", "crypto", "scam", "idiot", "idiots",
    "stupid", "/\\bbuy\\s+followers?/i", "/\\bfree\\s+money/i",
]

DEFAULT_RULES: dict[str, Any] = {
    "trusted": [], "blocked_words": DEFAULT_BLOCKED, "hide_replies": False,
    "hide_reposts": False, "hide_sensitive": False, "banned": [],
    # Labels in English: pages show a built-in reason whose label nobody changed in the reader's
    # language (coverage/views/console.py, reader_reasons).
    "reasons": [{"code": code, "label": label} for code, label in REASONS.items()],
}

LAYOUTS = ("grid", "column", "spotlight")
THEMES = ("dark", "light", "contrast")
DEFAULT_WALL: dict[str, Any] = {"layout": "grid", "theme": "dark", "paused": False,
                                "blank": False, "message": "", "announcements": []}


class RulesError(ValueError):
    """Rules that cannot be saved; the message says which line and why."""


def _handle(value: str) -> str:
    return value.strip().lower().lstrip("@")


def check_rules(data: Any) -> dict[str, Any]:
    """Validate rules sent by the console; returns a clean copy or raises RulesError."""
    if not isinstance(data, dict):
        raise RulesError(_("The rules must be a JSON object."))
    rules = {**DEFAULT_RULES, **{k: v for k, v in data.items() if k in DEFAULT_RULES}}
    for key in ("trusted", "blocked_words"):
        value = rules[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RulesError(_("“%(key)s” must be a list of texts.", key=key))
        rules[key] = [v.strip()[:200] for v in value if v.strip()][:500]
    for line in rules["blocked_words"]:
        _compile(line)  # raises RulesError for a broken pattern
    for key in ("hide_replies", "hide_reposts", "hide_sensitive"):
        rules[key] = bool(rules[key])
    banned = rules["banned"]
    if not isinstance(banned, list) or not all(isinstance(b, dict) and isinstance(
            b.get("handle"), str) and b["handle"].strip() for b in banned):
        raise RulesError(_("Every blocked account needs a “handle”."))
    rules["banned"] = [{"handle": b["handle"].strip()[:200], "by": str(b.get("by", ""))[:80],
                        "at": str(b.get("at", ""))[:40], "reason": str(b.get("reason", ""))[:200]}
                       for b in banned]
    reasons = rules["reasons"]
    if not isinstance(reasons, list) or not reasons or not all(
            isinstance(r, dict) and re.fullmatch(r"[a-z0-9_]{1,40}", str(r.get("code", "")))
            and str(r.get("label", "")).strip() for r in reasons):
        raise RulesError(_("Every reject reason needs a code (lower-case letters, digits, _) "
                           "and a label."))
    codes = [r["code"] for r in reasons]
    if len(set(codes)) != len(codes):
        raise RulesError(_("Two reject reasons have the same code."))
    rules["reasons"] = [{"code": r["code"], "label": str(r["label"]).strip()[:80]}
                        for r in reasons]
    return rules


def _as_regex(line: str) -> re.Match[str] | None:
    """The pattern and flags of a /regex/flags line; None for a word or phrase."""
    return re.fullmatch(r"/(.+)/([imsx]*)", line)


@lru_cache(maxsize=512)
def _compile(line: str) -> re.Pattern[str]:
    """A blocked-words line as a pattern: /regex/flags, or a whole word or phrase."""
    match = _as_regex(line)
    if match:
        flags = 0
        for letter in match.group(2):
            flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[letter]
        try:
            return re.compile(match.group(1), flags)
        except re.error as exc:
            raise RulesError(_("The pattern “%(line)s” is not valid: %(error)s.", line=line,
                                     error=exc)) from None
    return re.compile(r"(?<!\w)" + re.escape(line) + r"(?!\w)", re.I)


@dataclass(frozen=True)
class Arrival:
    """What the rules decide for a post as it arrives."""

    state: str  # pending, approved, rejected
    reason: str = ""  # reason code when rejected
    hold: str = ""  # why it waits, in words, when a blocked word held it
    rule: str = ""  # which rule decided, for the audit log ("" when none did)


_WAITS = Arrival("pending")  # what most posts get: one frozen instance serves them all
# Python's backreferences and conditionals: a pattern with one cannot share a search with others.
_REFERS_TO_GROUPS = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


@lru_cache(maxsize=64)
def _screens(lines: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...]]:
    """A few combined patterns that match wherever some blocked-words line does, and the lines
    they cannot stand for (to be searched one by one).

    One search per line costs more than the rest of the rules together, and most posts match
    no line: a combined search proves that at once. Posts a screen catches are still searched
    line by line, in order, so the line that holds a post is the same as without screens.
    """
    words: list[str] = []
    by_flags: dict[int, list[tuple[str, str]]] = {}
    alone: set[str] = set()
    for line in lines:
        try:
            pattern = _compile(line)
        except RulesError:
            continue  # a broken line matches nothing
        if not _as_regex(line):
            words.append(re.escape(line))
        elif pattern.flags & re.X or _REFERS_TO_GROUPS.search(pattern.pattern):
            alone.add(line)  # a comment or a group number would not survive the joining
        else:
            by_flags.setdefault(pattern.flags, []).append((line, f"(?:{pattern.pattern})"))
    screens = []
    if words:  # as _compile makes them: whole words, case-insensitive
        screens.append(re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.I))
    for flags, group in by_flags.items():
        try:
            screens.append(re.compile("|".join(wrapped for _, wrapped in group), flags))
        except (re.error, FutureWarning):  # two lines naming a group alike…: one by one
            alone.update(line for line, _ in group)
    return tuple(screens), tuple(line for line in lines if line in alone)


class _Rules:
    """The lead's rules made ready for many posts: handle sets and patterns built once."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.rules = rules
        self.banned = {_handle(b["handle"]) for b in rules.get("banned", [])}
        self.trusted = {_handle(h) for h in rules.get("trusted", [])}
        self.lines = tuple(rules.get("blocked_words", []))
        self.screens, self.unscreened = _screens(self.lines)

    def blocked_word(self, words: str) -> tuple[str, str] | None:
        """The first blocked-words line found in `words`, and what it matched."""
        caught = any(screen.search(words) for screen in self.screens)
        for line in self.lines if caught else self.unscreened:
            try:
                found = _compile(line).search(words)
            except RulesError:
                continue  # saved rules are checked; an old broken line must not stop ingest
            if found:
                return line, found.group(0)
        return None

    def arrival(self, post: Post) -> Arrival:
        rules = self.rules
        handle = _handle(post.author.handle)
        if handle in self.banned:
            return Arrival("rejected", "banned", rule="account bloccato")
        if rules.get("hide_replies") and post.reply_to:
            return Arrival("rejected", "rule", rule="risposte nascoste")
        if rules.get("hide_reposts") and post.repost_of:
            return Arrival("rejected", "rule", rule="condivisioni nascoste")
        if rules.get("hide_sensitive") and post.sensitive:
            return Arrival("rejected", "rule", rule="contenuti sensibili nascosti")
        blocked = self.blocked_word(f"{post.spoiler}\n{post.text}\n{post.author.name}")
        if blocked:
            line, found = blocked
            return Arrival("pending", hold=f"Parola bloccata: «{found}»",
                           rule=f"parola bloccata: {line}")
        if handle in self.trusted:
            return Arrival("approved", rule="account fidato")
        return _WAITS


def on_arrival(post: Post, rules: dict[str, Any]) -> Arrival:
    """Apply the lead's rules to a new post: bans, hides, blocked words, then trust."""
    return _Rules(rules).arrival(post)


def on_arrivals(posts: list[Post], rules: dict[str, Any]) -> list[Arrival]:
    """`on_arrival` for a batch of posts, the rules prepared once."""
    prepared = _Rules(rules)
    return [prepared.arrival(post) for post in posts]


def reason_codes(rules: dict[str, Any]) -> set[str]:
    """Reason codes a rejection may carry in this event."""
    return {r["code"] for r in rules.get("reasons", [])} | set(SYSTEM_REASONS)


def apply_wall_control(state: dict[str, Any], control: Any) -> dict[str, Any]:
    """The wall state after an editor's control; raises ActionError for nonsense."""
    if not isinstance(control, dict) or not control:
        raise ActionError(_("Invalid wall control."))
    new = {**DEFAULT_WALL, **state}
    for key, value in control.items():
        if key == "layout" and value in LAYOUTS:
            new["layout"] = value
        elif key == "theme" and value in THEMES:
            new["theme"] = value
        elif key in ("paused", "blank") and isinstance(value, bool):
            new[key] = value
        elif key == "message" and isinstance(value, str):
            new["message"] = value.strip()[:280]
        else:
            raise ActionError(_("Invalid wall control: %(control)s.",
                                control=f"{key}={value!r}"))
    return new


def undo_kind(before: dict[str, Any]) -> str:
    """The change kind that restoring `before` produces (named for what happens)."""
    if "state" in before:
        return {"approved": "post_approved", "rejected": "post_rejected",
                "pending": "post_pending"}[before["state"]]
    if "featured" in before:
        return "post_featured" if before["featured"] else "post_unfeatured"
    if "pinned" in before:
        return "post_pinned" if before["pinned"] else "post_unpinned"
    if "session_id" in before:
        return "post_session"
    return "post_noted"


def change_kind(action: str) -> str:
    """The change-log kind an action produces (named for what happened)."""
    return _KINDS[action]


def apply_action(current: dict[str, Any], action: str, reason: str = "",
                 note: str | None = None, session_id: int | None = None,
                 reasons: set[str] | None = None) -> dict[str, Any]:
    """The curation columns an action changes; {} when it changes nothing.

    Featuring or pinning a post that is not approved approves it too: one key press for the
    editor, and the wall never shows a post that is not approved. Rejecting or sending a post
    back to the queue takes its spotlight and pin away.
    """
    if action not in _KINDS:
        raise ActionError(_("Unknown action %(action)r: use one of %(actions)s.",
                            action=action, actions=", ".join(ACTIONS)))
    update: dict[str, Any] = {}
    if action == "approve":
        update = {"state": "approved", "reason": "", "hold": ""}
    elif action == "reject":
        allowed = reasons if reasons is not None else set(REASONS) | set(SYSTEM_REASONS)
        if reason and reason not in allowed:
            raise ActionError(_("Unknown reason %(reason)r: use one of %(reasons)s.",
                                reason=reason, reasons=", ".join(sorted(allowed))))
        update = {"state": "rejected", "reason": reason or "other", "featured": 0, "pinned": 0}
    elif action == "pending":
        update = {"state": "pending", "reason": "", "featured": 0, "pinned": 0}
    elif action in ("feature", "pin"):
        update = {"state": "approved", "reason": "", "featured" if action == "feature"
                  else "pinned": 1}
    elif action == "unfeature":
        update = {"featured": 0}
    elif action == "unpin":
        update = {"pinned": 0}
    elif action == "note":
        update = {"note": (note or "").strip()[:500]}
    elif action == "session":
        update = {"session_id": session_id}
    return {k: v for k, v in update.items() if current.get(k) != v}


def is_public(post: dict[str, Any]) -> bool:
    """Whether a post may be shown on a wall: approved and not deleted at the source."""
    return post.get("state") == "approved" and not post.get("deleted")
