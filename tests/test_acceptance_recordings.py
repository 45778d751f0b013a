"""The Mastodon normalizer over real recorded server answers (shared/acceptance/mastodon)."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coverage.model import NormalizeError, Post
from coverage.sanitize import clean_html
from coverage.sources import mastodon

RECORDINGS = Path(__file__).parents[2] / "shared" / "acceptance" / "mastodon"
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# Stream events whose data is a Status (notification and conversation wrap one instead).
STATUS_EVENTS = {"update", "status.update"}


def _is_status(value: object) -> bool:
    return isinstance(value, dict) and "uri" in value and "content" in value and "account" in value


def _stream_statuses(body: str) -> list[dict]:
    """Statuses in a server-sent event stream, from `event:` / `data:` line pairs."""
    found, event = [], None
    for line in body.splitlines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data = json.loads(line.removeprefix("data:"))
            if event in STATUS_EVENTS:
                found.append(data)
            elif event == "notification" and _is_status(data.get("status")):
                found.append(data["status"])
            elif event == "conversation" and _is_status(data.get("last_status")):
                found.append(data["last_status"])
        elif not line.strip():
            event = None
    return found


def recorded_statuses() -> list[tuple[str, dict]]:
    """(where, status) for every Status in every recorded response body."""
    found = []
    for path in sorted(RECORDINGS.glob("*.json")):
        for number, exchange in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            request, body = exchange["request"], exchange["response"]["body"]
            where = f"{path.stem}#{number} {request['method']} {request['url']}"
            if isinstance(body, str):
                found += [(f"{where} (stream)", s) for s in _stream_statuses(body)]
            else:
                found += [(where, s) for s in (body if isinstance(body, list) else [body])]
    return [(where, status) for where, status in found if _is_status(status)]


@pytest.fixture(scope="module")
def statuses() -> list[tuple[str, dict]]:
    if not RECORDINGS.is_dir():
        message = f"acceptance recordings not found at {RECORDINGS}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return recorded_statuses()


@pytest.fixture(scope="module")
def posts(statuses) -> list[tuple[str, dict, Post]]:
    return [(where, status, mastodon.normalize(status)) for where, status in statuses]


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def hrefs_in(html: str) -> list[str | None]:
    parser = _Hrefs()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def test_recordings_hold_statuses_of_every_kind(statuses):
    wheres = [where for where, _ in statuses]
    assert len(statuses) > 100
    assert any("(stream)" in where for where in wheres)
    assert any(s.get("reblog") for _, s in statuses)
    assert any((s.get("quote") or {}).get("quoted_status") for _, s in statuses)
    assert any(s.get("media_attachments") for _, s in statuses)


def test_every_recorded_status_normalizes(posts):
    for where, status, post in posts:
        assert post.platform == "mastodon", where
        assert post.remote_id == status["uri"], where
        assert post.url.startswith(("http://", "https://")), where
        assert UTC_TIME.match(post.created_at), where
        assert post.author.handle.startswith("@") and post.author.handle.count("@") == 2, where
        assert post.raw is status, where


def test_recorded_html_is_clean(posts):
    for where, _, post in posts:
        assert "<script" not in post.html, where
        assert "target=" not in post.html, where
        assert clean_html(post.html) == post.html, where
        for href in hrefs_in(post.html):
            assert href is not None and href.startswith(("http://", "https://")), where


def test_recorded_text_has_no_tags_and_decoded_entities(posts):
    for where, status, post in posts:
        assert "&#39;" not in post.text and "<p>" not in post.text, where
        if "&#39;" in status["content"]:
            assert "'" in post.text, where


def test_recorded_media_alt_comes_from_description(posts):
    with_media = [(w, s, p) for w, s, p in posts if s["media_attachments"]]
    assert with_media
    for where, status, post in with_media:
        attachments = status["media_attachments"]
        assert [m.alt for m in post.media] == [a["description"] or "" for a in attachments], where
        assert [m.url for m in post.media] == [a["url"] for a in attachments], where
        assert [m.width for m in post.media] == [
            a["meta"]["original"]["width"] for a in attachments
        ], where
    alts = {m.alt for _, _, p in with_media for m in p.media}
    assert "John Lennon doing a funny walk" in alts


def test_recorded_boost_carries_the_original(posts):
    boosts = [(w, s, p) for w, s, p in posts if s.get("reblog")]
    assert boosts
    for where, status, post in boosts:
        original = status["reblog"]
        assert post.remote_id == status["uri"], where
        assert post.repost_of.remote_id == original["uri"], where
        assert post.repost_of.url == original["url"], where
        assert post.url == original["url"], where
        assert post.html == clean_html(original["content"]), where
        assert post.text == post.repost_of.text == "Toot!", where
        assert post.reposted_by.handle == "@" + status["account"]["acct"] + "@localhost", where
        assert post.sensitive is original["sensitive"], where


def test_recorded_quote_becomes_quote_of(posts):
    quotes = [(w, s, p) for w, s, p in posts if (s.get("quote") or {}).get("quoted_status")]
    assert quotes
    for where, status, post in quotes:
        quoted = status["quote"]["quoted_status"]
        assert post.quote_of.remote_id == quoted["uri"], where
        assert post.quote_of.url == quoted["url"], where
        assert post.quote_of.text == "Toot!", where
        # The "RE:" paragraph older clients rely on stays, with its full link.
        assert post.text == f"RE: {quoted['url']}\n\nyoooooooo", where
        assert '<p class="quote-inline">' in post.html, where


def test_recorded_content_warning_sets_spoiler_and_sensitive(posts):
    warned = [(w, s, p) for w, s, p in posts if s["spoiler_text"]]
    assert warned
    for where, status, post in warned:
        assert post.spoiler == status["spoiler_text"] == "Content warning", where
        assert post.sensitive is True, where


def test_recorded_reply_points_at_its_parent(posts):
    replies = [(w, s, p) for w, s, p in posts if s.get("in_reply_to_id")]
    assert replies
    for where, status, post in replies:
        assert post.reply_to.remote_id == status["in_reply_to_id"], where
        assert post.mentions, where


def test_recorded_hashtags_and_mentions(posts):
    tagged = [(w, s, p) for w, s, p in posts if s["tags"]]
    assert tagged
    for where, status, post in tagged:
        assert post.hashtags == [t["name"] for t in status["tags"]], where
        assert post.links == [], where  # hashtag links are not external links
    for where, status, post in posts:
        assert post.mentions == [f"@{m['acct']}@localhost" for m in status["mentions"]], where


def test_recorded_stream_updates_are_statuses(statuses):
    streamed = [s for where, s in statuses if "(stream)" in where]
    assert {s["content"] for s in streamed} >= {"<p>only real cars respond.</p>"}
    assert [mastodon.normalize(s).remote_id for s in streamed] == [s["uri"] for s in streamed]


def test_recorded_404_body_is_not_a_post(statuses):
    body = json.loads((RECORDINGS / "test_status_missing.json").read_text(encoding="utf-8"))[0]
    assert body["response"]["status"] == 404
    with pytest.raises(NormalizeError):
        mastodon.posts_from_payload(body["response"]["body"])
