"""Pure moderation rules: states, actions, reasons. No Flask, no SQL."""

from __future__ import annotations

from typing import Any

from .model import Post

STATES = ("pending", "approved", "rejected")

# Reasons for rejecting, after the social media policies of Italian public bodies.
REASONS: dict[str, dict[str, str]] = {
    "insult": {"it": "Insulti o minacce", "en": "Insults or threats"},
    "discrimination": {"it": "Discriminazione", "en": "Discrimination"},
    "personal_data": {"it": "Dati personali di altri", "en": "Other people's personal data"},
    "off_topic": {"it": "Fuori tema", "en": "Off-topic"},
    "spam": {"it": "Spam", "en": "Spam"},
    "advertising": {"it": "Pubblicità", "en": "Advertising"},
    "illegal": {"it": "Contenuti illeciti", "en": "Illegal content"},
    "copyright": {"it": "Violazione del diritto d'autore", "en": "Copyright infringement"},
    "duplicate": {"it": "Duplicato", "en": "Duplicate"},
    "other": {"it": "Altro", "en": "Other"},
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


def initial_state(post: Post, trusted: list[str]) -> str:
    """Posts from trusted accounts go live at once; everything else waits for an editor."""
    handles = {h.lower().lstrip("@") for h in trusted}
    return "approved" if post.author.handle.lower().lstrip("@") in handles else "pending"


def change_kind(action: str) -> str:
    """The change-log kind an action produces (named for what happened)."""
    return _KINDS[action]


def apply_action(current: dict[str, Any], action: str, reason: str = "",
                 note: str | None = None, session_id: int | None = None) -> dict[str, Any]:
    """The curation columns an action changes; {} when it changes nothing.

    Featuring or pinning a post that is not approved approves it too: one key press for the
    editor, and the wall never shows a post that is not approved. Rejecting or sending a post
    back to the queue takes its spotlight and pin away.
    """
    if action not in _KINDS:
        raise ActionError(f"Azione sconosciuta {action!r}: usa una di {', '.join(ACTIONS)}.")
    update: dict[str, Any] = {}
    if action == "approve":
        update = {"state": "approved", "reason": ""}
    elif action == "reject":
        if reason and reason not in REASONS:
            raise ActionError(
                f"Motivo sconosciuto {reason!r}: usa uno di {', '.join(REASONS)}.")
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
