"""An event's setup checklist: what is done and what comes next (facts in, steps out).

The facts come from `Store.setup_facts`; the page puts each step in words and links it to the
page where it is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STEPS = ("details", "programme", "sources", "rules", "editors", "wall")


@dataclass
class Step:
    key: str  # one of STEPS
    done: bool
    facts: dict[str, Any] = field(default_factory=dict)  # figures the page shows


def setup_checklist(facts: dict[str, Any]) -> list[Step]:
    """The steps from an empty event to a running wall, in the order they are best done."""
    event = facts["event"]
    sources = [s for s in facts["sources"] if s["enabled"]]
    health = {name: sum(1 for s in sources if s["health"] == name)
              for name in ("ok", "new", "slowed", "failing")}
    people = facts["admins"] + facts["editors"]
    return [
        Step("details", bool(event.get("name") and event.get("starts_at")
                              and event.get("ends_at")
                              and (event.get("hashtags") or event.get("accounts"))),
             {"hashtags": len(event.get("hashtags") or []),
              "accounts": len(event.get("accounts") or []),
              "dates": bool(event.get("starts_at") and event.get("ends_at"))}),
        Step("programme", bool(event.get("sessions")),
             {"sessions": len(event.get("sessions") or [])}),
        Step("sources", bool(sources) and not health["failing"],
             {"sources": len(sources), "paused": len(facts["sources"]) - len(sources),
              **health}),
        Step("rules", bool(facts["rules_saved"])),
        Step("editors", people > 1, {"people": people, "editors": facts["editors"]}),
        Step("wall", facts["approved"] > 0, {"approved": facts["approved"]}),
    ]


def next_step(steps: list[Step]) -> Step | None:
    """The first step not done yet (None when the event is ready)."""
    return next((step for step in steps if not step.done), None)
