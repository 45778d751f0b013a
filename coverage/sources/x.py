"""X: API v2 tweet objects (with their `includes`) to Posts, and the live source that reads
them from recent search (GET /2/tweets/search/recent) within an hourly budget of posts read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from flask_babel import gettext as _
from flask_babel import ngettext

from coverage.model import Author, Media, NormalizeError, Post, Reference
from coverage.sanitize import linkify_spans
from coverage.sources.fields import (
    ALT_MAX,
    NAME_MAX,
    TEXT_MAX,
    clip,
    http_url,
    utc_timestamp,
)
from coverage.sources.http import (
    RateLimited,
    SourceError,
    get_json,
    make_client,
    rate_limit_remaining,
    rate_limit_reset,
)
from coverage.sources.registry import Batch, register

PLATFORM = "x"
SITE = "https://x.com"
# X escapes exactly these three in `text`; nothing else is an entity there.
_UNESCAPED = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ESCAPE = re.compile("(&amp;|&lt;|&gt;)")
_MEDIA_TYPES = {"photo": "image", "video": "video", "animated_gif": "gifv"}
_METRICS = {
    "replies": "reply_count",
    "reposts": "retweet_count",
    "likes": "like_count",
    "quotes": "quote_count",
    "views": "impression_count",
}
_RETWEET_PREFIX = re.compile(r"RT @(\w{1,15}): ")
_SIGNS = {"#": "#＃", "@": "@＠", "$": "$＄"}
_MEDIA_PATH = re.compile(r"/status/\d+/(photo|video)/\d+$")


def _unescape_with_offsets(text: str) -> tuple[str, list[int]]:
    """X's text unescaped, and for each offset in the escaped text its offset in the plain."""
    plain: list[str] = []
    offsets: list[int] = []
    length = 0  # of the plain text so far
    # Split on the escapes: even items are literal text, odd ones an escape.
    for i, piece in enumerate(_ESCAPE.split(text)):
        if i % 2:
            offsets.extend([length] * len(piece))
            plain.append(_UNESCAPED[piece])
            length += 1
        else:
            offsets.extend(range(length, length + len(piece)))
            plain.append(piece)
            length += len(piece)
    offsets.append(length)
    return "".join(plain), offsets


def _literal(kind: str, entity: dict[str, Any]) -> str:
    """What the entity's slice of the plain text must read, for checking its offsets."""
    if kind == "urls":
        return entity.get("url") or ""
    if kind == "mentions":
        return "@" + (entity.get("username") or "")
    if kind == "hashtags":
        return "#" + (entity.get("tag") or "")
    return "$" + (entity.get("tag") or "")


def _reads(plain: str, start: int, end: int, literal: str) -> bool:
    piece = plain[start:end] if 0 <= start < end <= len(plain) else ""
    if len(literal) < 2 or len(piece) != len(literal):
        return False
    # Hashtags and mentions may be typed with full-width signs, and in any letter case.
    signs = _SIGNS.get(literal[0], literal[0])
    return piece[0] in signs and piece[1:].casefold() == literal[1:].casefold()


def _locate_entities(
    plain: str, offsets: list[int], entities: object
) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Entities with their offsets in the plain text, checked against what they must read.

    X documents start/end as code-point offsets into `text`, and `text` arrives
    HTML-escaped; whether "&amp;" counts as one character or five, documentation and
    client libraries disagree. So both readings are tried, the one under which more
    entities read right wins for the whole post, and an entity that still does not fit
    is looked up by its literal nearest to where it claims to be (or dropped).
    """
    found: list[tuple[int, int, str, dict[str, Any], str]] = []
    entities = entities if isinstance(entities, dict) else {}
    for kind in ("urls", "hashtags", "mentions", "cashtags"):
        for entity in entities.get(kind) or []:
            if not isinstance(entity, dict):
                continue
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int):
                found.append((start, end, kind, entity, _literal(kind, entity)))

    def escaped_reading(start: int, end: int) -> tuple[int, int]:
        if 0 <= start < end < len(offsets):
            return offsets[start], offsets[end]
        return -1, -1

    def plain_reading(start: int, end: int) -> tuple[int, int]:
        return start, end

    def score(reading: Any) -> int:
        return sum(_reads(plain, *reading(s, e), lit) for s, e, _, _, lit in found)

    reading = escaped_reading if score(escaped_reading) >= score(plain_reading) else plain_reading
    located: list[tuple[int, int, str, dict[str, Any]]] = []
    for start, end, kind, entity, literal in found:
        p_start, p_end = reading(start, end)
        if not _reads(plain, p_start, p_end, literal):
            p_start = _nearest(plain, literal, start)
            p_end = p_start + len(literal)
            if p_start < 0:
                continue
        located.append((p_start, p_end, kind, entity))
    located.sort(key=lambda item: item[0])
    kept: list[tuple[int, int, str, dict[str, Any]]] = []
    for item in located:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _nearest(plain: str, literal: str, near: int) -> int:
    if len(literal) < 2:
        return -1
    folded, wanted = plain.casefold(), literal.casefold()
    if len(folded) != len(plain):  # casefolding changed lengths: offsets would not line up
        folded, wanted = plain, literal
    best, position = -1, folded.find(wanted)
    while position >= 0:
        if best < 0 or abs(position - near) < abs(best - near):
            best = position
        position = folded.find(wanted, position + 1)
    return best


def _is_media_link(entity: dict[str, Any]) -> bool:
    expanded = entity.get("expanded_url") or ""
    try:
        path = urlsplit(expanded).path
    except ValueError:
        return False
    return bool(entity.get("media_key")) or bool(_MEDIA_PATH.search(path))


def _text_and_spans(
    tweet: dict[str, Any],
) -> tuple[str, list[tuple[int, int, str, str]], list[str], list[str], list[str]]:
    """Plain text (t.co expanded, media links dropped), spans, hashtags, mentions, links."""
    note = tweet.get("note_tweet")
    source = note if isinstance(note, dict) and isinstance(note.get("text"), str) else tweet
    plain, offsets = _unescape_with_offsets(source.get("text") or "")
    pieces: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    length, position = 0, 0

    def emit(piece: str) -> None:
        nonlocal length
        pieces.append(piece)
        length += len(piece)

    for start, end, kind, entity in _locate_entities(plain, offsets, source.get("entities")):
        emit(plain[position:start])
        position = end
        if kind == "urls" and _is_media_link(entity):
            # The photo is shown as media; its t.co link would only repeat it.
            if not plain[end:].strip() or (plain[end : end + 1] == " " and length):
                while pieces and pieces[-1].endswith(" "):
                    pieces[-1] = pieces[-1][:-1]
                    length -= 1
            continue
        if kind == "urls":
            target = http_url(entity.get("expanded_url")) or http_url(entity.get("url"))
            shown = target or plain[start:end]
            if target:
                spans.append((length, length + len(shown), "link", target))
                links.append(target)
            emit(shown)
            continue
        written = plain[start:end]
        if kind == "mentions":
            username = entity.get("username") or ""
            spans.append((length, length + len(written), "mention", f"{SITE}/{username}"))
            mentions.append(clip("@" + username, NAME_MAX))
        elif kind == "hashtags":
            tag = entity.get("tag") or ""
            spans.append((length, length + len(written), "tag", _hashtag_url(tag)))
            tags.append(clip(tag, NAME_MAX))
        else:
            query = quote("$" + (entity.get("tag") or ""), safe="")
            spans.append((length, length + len(written), "tag", f"{SITE}/search?q={query}"))
        emit(written)
    emit(plain[position:])
    text = "".join(pieces).rstrip()
    return clip(text, TEXT_MAX), spans, tags, mentions, links


def _hashtag_url(tag: str) -> str:
    return f"{SITE}/hashtag/{quote(tag, safe='')}"


def _author(user: object) -> Author:
    if not isinstance(user, dict) or not isinstance(user.get("username"), str):
        raise NormalizeError("X user has no username")
    username = user["username"]
    return Author(
        handle=clip("@" + username, NAME_MAX),
        name=clip(user.get("name") or username, NAME_MAX),
        avatar=http_url(user.get("profile_image_url")),
        url=f"{SITE}/{quote(username, safe='')}",
    )


def _by_key(items: object, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i[key]): i for i in items if isinstance(i, dict) and i.get(key) is not None}


def _status_url(tweet_id: str, author: Author | None) -> str:
    who = author.handle.removeprefix("@") if author else "i"
    return f"{SITE}/{quote(who, safe='')}/status/{quote(tweet_id, safe='')}"


def _best_video_url(media: dict[str, Any]) -> str:
    variants = [
        v
        for v in media.get("variants") or []
        if isinstance(v, dict) and v.get("content_type") == "video/mp4" and http_url(v.get("url"))
    ]
    if not variants:
        return ""
    return http_url(max(variants, key=lambda v: v.get("bit_rate") or 0)["url"])


def _media(tweet: dict[str, Any], media_by_key: dict[str, dict[str, Any]]) -> list[Media]:
    result = []
    for key in (tweet.get("attachments") or {}).get("media_keys") or []:
        item = media_by_key.get(str(key))
        if not item:
            continue
        preview = http_url(item.get("preview_image_url"))
        # Without a playable variant in the payload, a video is represented by its still.
        url = http_url(item.get("url")) or _best_video_url(item) or preview
        if not url:
            continue
        width, height = item.get("width"), item.get("height")
        result.append(
            Media(
                type=_MEDIA_TYPES.get(item.get("type"), "unknown"),
                url=url,
                alt=clip(item.get("alt_text") or "", ALT_MAX),
                preview_url=preview,
                width=width if isinstance(width, int) else None,
                height=height if isinstance(height, int) else None,
            )
        )
    return result


def _check_tweet(tweet: object) -> dict[str, Any]:
    if not isinstance(tweet, dict):
        raise NormalizeError(f"an X post must be an object, not {type(tweet).__name__}")
    if not tweet.get("id") or not isinstance(tweet.get("text"), str):
        raise NormalizeError("X post has no id or no text")
    return tweet


class _Includes:
    """The `includes` of a response, indexed by id and key."""

    def __init__(self, includes: object) -> None:
        includes = includes if isinstance(includes, dict) else {}
        self.users = _by_key(includes.get("users"), "id")
        self.usernames = {
            u["username"].casefold(): u
            for u in self.users.values()
            if isinstance(u.get("username"), str)
        }
        self.media = _by_key(includes.get("media"), "media_key")
        self.tweets = _by_key(includes.get("tweets"), "id")

    def author_of(self, tweet: dict[str, Any]) -> Author:
        user = self.users.get(str(tweet.get("author_id")))
        if not user:
            raise NormalizeError(
                f"X post {tweet['id']}: its author {tweet.get('author_id')} is not in "
                "includes.users (ask for expansions=author_id)"
            )
        return _author(user)

    def reference(self, tweet_id: str) -> Reference:
        tweet = self.tweets.get(tweet_id)
        user = self.users.get(str(tweet.get("author_id"))) if tweet else None
        author = _author(user) if user else None
        text = _text_and_spans(tweet)[0] if tweet and isinstance(tweet.get("text"), str) else ""
        return Reference(
            remote_id=tweet_id,
            url=_status_url(tweet_id, author),
            author=author,
            text=text,
        )


def _referenced(tweet: dict[str, Any], kind: str) -> str:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == kind and ref.get("id"):
            return str(ref["id"])
    return ""


def _retweeted_author(tweet: dict[str, Any], includes: _Includes) -> Author | None:
    """The original author of a retweet whose original is not included, from "RT @name: "."""
    match = _RETWEET_PREFIX.match(tweet["text"])
    if not match:
        return None
    user = includes.usernames.get(match.group(1).casefold())
    if user:
        return _author(user)
    name = match.group(1)
    return Author(handle="@" + name, name=name, url=f"{SITE}/{name}")


def _language(lang: object) -> str:
    # "und", "zxx" and the "q…" codes (media only, hashtags only…) name no language.
    if not isinstance(lang, str) or lang in ("und", "zxx") or lang.startswith("q"):
        return ""
    return clip(lang, 16)


def _normalize(tweet: dict[str, Any], includes: _Includes) -> Post:
    tweet = _check_tweet(tweet)
    tweet_id = str(tweet["id"])
    poster = includes.author_of(tweet)
    retweeted_id = _referenced(tweet, "retweeted")
    original = includes.tweets.get(retweeted_id) if retweeted_id else None
    content = _check_tweet(original) if original else tweet
    author = poster
    if original:
        author = includes.author_of(original)
    elif retweeted_id:
        author = _retweeted_author(tweet, includes) or poster

    text, spans, tags, mentions, links = _text_and_spans(content)
    replied_id, quoted_id = (
        _referenced(content, "replied_to"),
        _referenced(content, "quoted"),
    )
    metrics = content.get("public_metrics") or {}
    repost_of = None
    if retweeted_id:
        repost_of = Reference(
            remote_id=retweeted_id,
            url=_status_url(retweeted_id, author),
            author=author,
            text=text,
        )
    return Post(
        platform=PLATFORM,
        remote_id=tweet_id,
        url=_status_url(retweeted_id or tweet_id, author),
        author=author,
        # The time it entered the timeline: for a retweet, when it was retweeted.
        created_at=utc_timestamp(tweet.get("created_at"), f"X post {tweet_id}"),
        text=text,
        html=linkify_spans(text, spans),
        media=_media(content, includes.media),
        reply_to=includes.reference(replied_id) if replied_id else None,
        repost_of=repost_of,
        reposted_by=poster if retweeted_id else None,
        quote_of=includes.reference(quoted_id) if quoted_id else None,
        language=_language(content.get("lang")),
        metrics={
            name: metrics[key]
            for name, key in _METRICS.items()
            if isinstance(metrics.get(key), int)
        },
        hashtags=list(dict.fromkeys(tags)),
        mentions=list(dict.fromkeys(mentions)),
        links=list(dict.fromkeys(links)),
        sensitive=bool(content.get("possibly_sensitive")),
        raw=tweet,
    )


def normalize(tweet: dict, includes: dict) -> Post:
    """One X API v2 tweet as a Post, with users, media and tweets taken from `includes`."""
    return _normalize(tweet, _Includes(includes))


def posts_from_payload(payload: Any) -> list[Post]:
    """Posts from a search response {data: [...], includes} or a lookup {data: {...}}."""
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise NormalizeError(f"an X payload must be an object, not {kind}")
    data = payload.get("data")
    if data is None:
        errors = payload.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0] if isinstance(errors[0], dict) else {}
            detail = first.get("detail") or first.get("title") or "no detail"
            raise NormalizeError(f"X answered with errors and no posts: {detail}")
        if isinstance(payload.get("meta"), dict):
            return []  # a search with no results
        raise NormalizeError("X payload has no data")
    includes = _Includes(payload.get("includes"))
    tweets = data if isinstance(data, list) else [data]
    return [_normalize(tweet, includes) for tweet in tweets]


# -- the live source: recent search ----------------------------------------------------------

API = "https://api.x.com"
SEARCH_PATH = "/2/tweets/search/recent"
LOOKUP_PATH = "/2/tweets"
QUERY_MAX = 512  # characters in a recent-search query for self-serve (pay-per-use) access
RESULTS_MIN, RESULTS_MAX = 10, 100  # the range recent search accepts for max_results
LOOKUP_MAX = 100  # ids per GET /2/tweets
DEFAULT_CAP = 500  # posts read per hour: X bills every post it returns
DEFAULT_PAGES = 10  # pages per query and run when catching up from a since_id
SEARCH_WINDOW = timedelta(days=7)  # how far back recent search reaches
_SNOWFLAKE_EPOCH_MS = 1288834974657  # X ids carry their creation time from this epoch
_SEARCH_FIELDS = {
    "tweet.fields": "attachments,author_id,created_at,entities,lang,note_tweet,"
    "possibly_sensitive,public_metrics,referenced_tweets",
    # The last expansion brings the photos of a reposted original, which the repost shows.
    "expansions": "author_id,attachments.media_keys,referenced_tweets.id,"
    "referenced_tweets.id.author_id,referenced_tweets.id.attachments.media_keys",
    "media.fields": "url,preview_image_url,alt_text,width,height,variants",
    "user.fields": "name,username,profile_image_url",
}
_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
_LANG = re.compile(r"[a-z]{2,3}(-[a-z]{2,4})?")


def _is_hashtag(tag: str) -> bool:
    # Letters, digits, combining marks and "_": anything else would change the query's meaning.
    return bool(tag) and all(
        ch == "_" or ch.isalnum() or unicodedata.category(ch).startswith("M") for ch in tag
    )


def clean_hashtags(values: Iterable[object] | None) -> tuple[list[str], list[str]]:
    """Hashtags without their sign, once each (X ignores case); and the ones X cannot search."""
    kept: list[str] = []
    refused: list[str] = []
    seen: set[str] = set()
    for value in values or []:
        tag = str(value).strip().lstrip("#＃")
        if not _is_hashtag(tag):
            refused.append(str(value))
        elif tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept, refused


def clean_accounts(values: Iterable[object] | None) -> tuple[list[str], list[str]]:
    """X usernames (from "@name", a profile URL or an event account), once each; and the bad."""
    kept: list[str] = []
    refused: list[str] = []
    seen: set[str] = set()
    for value in values or []:
        if isinstance(value, dict):
            if value.get("platform", PLATFORM) != PLATFORM:
                continue
            value = value.get("handle") or ""
        name = str(value).strip().rstrip("/").rsplit("/", 1)[-1].removeprefix("@")
        if not _USERNAME.fullmatch(name):
            refused.append(str(value))
        elif name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept, refused


def _render(tags: list[str], froms: list[str], extra: str) -> str:
    parts = [g[0] if len(g) == 1 else f"({' OR '.join(g)})" for g in (tags, froms) if g]
    query = " OR ".join(parts)
    if extra:
        # AND binds tighter than OR on X: without the brackets `extra` would apply to one term.
        query = (f"({query})" if len(parts) > 1 else query) + " " + extra
    return query


def build_query(hashtags: Iterable[object], accounts: Iterable[object], extra: str = "",
                limit: int = QUERY_MAX) -> list[str]:
    """Recent-search queries, `(#a OR #b) OR (from:x OR from:y) extra`, each within `limit`."""
    tags = ["#" + t for t in clean_hashtags(hashtags)[0]]
    froms = ["from:" + a for a in clean_accounts(accounts)[0]]
    extra = " ".join(extra.split())
    queries: list[str] = []
    current: tuple[list[str], list[str]] = ([], [])
    for term in tags + froms:
        is_tag = term.startswith("#")
        grown = (current[0] + [term], current[1]) if is_tag else (current[0], current[1] + [term])
        if len(_render(*grown, extra)) <= limit:
            current = grown
            continue
        if current[0] or current[1]:
            queries.append(_render(*current, extra))
        current = ([term], []) if is_tag else ([], [term])
        if len(_render(*current, extra)) > limit:
            raise ValueError(_(
                "The search on X does not fit in %(limit)s characters even with %(term)s "
                "alone: shorten the added conditions (%(extra)s).", limit=limit,
                term=repr(term), extra=repr(extra)))
    if current[0] or current[1]:
        queries.append(_render(*current, extra))
    return queries


def _terms(config: dict[str, Any], event: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The source's hashtags and accounts; left out (or empty), the event's own."""
    hashtags = config.get("hashtags") or event.get("hashtags") or []
    accounts = config.get("accounts") or [
        a for a in event.get("accounts") or []
        if isinstance(a, dict) and a.get("platform") == PLATFORM
    ]
    return list(hashtags), list(accounts)


def _extra(config: dict[str, Any]) -> str:
    """Operators added to every query: the admin's `extra` and `lang:` from `lang`."""
    parts = [" ".join(str(config.get("extra") or "").split())]
    lang = str(config.get("lang") or "").strip().lower()
    if lang:
        if not _LANG.fullmatch(lang):
            raise SourceError(_("Language %(language)s is not valid for X: use a code such as "
                                "it or en.", language=repr(lang)))
        parts.append(f"lang:{lang}")
    return " ".join(p for p in parts if p)


def _whole(config: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = config.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise SourceError(_(
            "Setting %(key)s of the X source is not valid: %(value)s (it needs a whole number "
            "between %(low)s and %(high)s).", key=repr(key), value=repr(value), low=low,
            high=high))
    return number


def _interval(config: dict[str, Any]) -> float:
    try:
        interval = float(config.get("interval") or XSource.default_interval)
    except (TypeError, ValueError):
        return XSource.default_interval
    return interval if interval > 0 else XSource.default_interval


def _hour(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H")


def _too_old(tweet_id: str, now: datetime) -> bool:
    """Whether X would refuse this since_id: recent search only takes ids of the last 7 days."""
    created = datetime.fromtimestamp(((int(tweet_id) >> 22) + _SNOWFLAKE_EPOCH_MS) / 1000, UTC)
    # An hour of margin for clocks that disagree; starting afresh a little early costs nothing.
    return created < now - SEARCH_WINDOW + timedelta(hours=1)


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _partial_note(errors: list[Any]) -> str:
    """One sentence for the items a successful reply could not include."""
    first = next((e for e in errors if isinstance(e, dict)), {})
    what = clip(first.get("title") or _("error"), 80)
    detail = clip(first.get("detail") or "", 160)
    return ngettext("X did not provide %(num)s linked item (%(what)s: %(detail)s); the rest "
                    "was saved.",
                    "X did not provide %(num)s linked items (%(what)s: %(detail)s); the rest "
                    "was saved.", len(errors), what=what, detail=detail)


class _Run:
    """What one fetch carries from query to query: budget, cursor, batch, reasons to stop."""

    def __init__(self, now: datetime, headers: dict[str, str], reads: int,
                 since: dict[str, str], batch: Batch) -> None:
        self.now, self.headers, self.reads = now, headers, reads
        self.since, self.batch = since, batch
        self.requests = 0  # successful requests in this run
        self.capped = False  # the hourly cap stopped reading
        self.stopped = False  # X said to stop (no requests left in its window)
        self.seen: set[str] = set()


@register("x")
class XSource:
    """Recent search on X for the event's hashtags and accounts, within an hourly read cap."""

    default_interval = 60.0

    def __init__(self, config: dict[str, Any], event: dict[str, Any],
                 client: httpx.Client | None, settings: dict[str, Any]) -> None:
        self.config, self.event = config, event
        self.instance = str(config.get("instance") or API).strip().rstrip("/")
        if not self.instance.startswith(("http://", "https://")):
            raise SourceError(_("X address %(address)s is not valid: start it with https://",
                                address=repr(self.instance)))
        self.client = client or make_client()
        self._token = str(settings.get("X_BEARER_TOKEN") or "").strip()
        self.max_results = _whole(config, "max_results", RESULTS_MAX, RESULTS_MIN, RESULTS_MAX)
        self.cap = _whole(config, "cap_per_hour", DEFAULT_CAP, RESULTS_MIN, 10**7)
        self.max_pages = _whole(config, "max_pages", DEFAULT_PAGES, 1, 100)

    def queries(self) -> tuple[list[str], list[str]]:
        """The queries this source runs, and notes on hashtags or accounts left out."""
        hashtags, accounts = _terms(self.config, self.event)
        tags, bad_tags = clean_hashtags(hashtags)
        users, bad_users = clean_accounts(accounts)
        notes = [_("Hashtag not valid for X, ignored: %(tag)s.", tag=repr(t)) for t in bad_tags]
        notes += [_("X account not valid, ignored: %(account)s (1–15 letters, digits or _).",
                    account=repr(a)) for a in bad_users]
        try:
            queries = build_query(tags, users, _extra(self.config))
        except ValueError as exc:
            raise SourceError(str(exc)) from None
        if not queries:
            raise SourceError(_("No X hashtag or account to search: add at least one to the "
                                "event or to the source."))
        return queries, notes

    def _headers(self) -> dict[str, str]:
        if not self._token:
            raise SourceError(_("The X token is missing: set PIAZZA_X_BEARER_TOKEN (or the "
                                "file x_bearer_token in the instance folder) and restart "
                                "Piazza."))
        return {"Authorization": f"Bearer {self._token}"}

    def _get(self, path: str, params: dict[str, Any], now: datetime,
             headers: dict[str, str]) -> tuple[Any, httpx.Response]:
        try:
            return get_json(self.client, self.instance + path, PLATFORM, now,
                            params=params, headers=headers)
        except RateLimited:
            raise
        except SourceError as exc:
            raise _explained(exc) from None

    def fetch(self, cursor: dict[str, Any], now: datetime) -> Batch:
        """Posts newer than each query's since_id, as long as the hour's cap allows."""
        queries, notes = self.queries()
        headers = self._headers()
        hour = _hour(now)
        reads = cursor.get("reads") if cursor.get("hour") == hour else 0
        saved = cursor.get("since_id") if isinstance(cursor.get("since_id"), dict) else {}
        # Queries no longer configured drop out; a new query starts like a first run.
        since = {q: str(saved[q]) for q in queries if str(saved.get(q) or "").isdigit()}
        run = _Run(now, headers, reads if isinstance(reads, int) and reads > 0 else 0, since,
                   Batch(notes=notes))
        for query in queries:
            if run.capped or run.stopped:
                break
            self._search(query, run)
        # Less than a page left is as good as none: say so now, not on the next round.
        run.capped = run.capped or self.cap - run.reads < RESULTS_MIN
        run.batch.cursor = {"since_id": run.since, "hour": hour, "reads": run.reads}
        if run.capped:
            resume = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            note = _("X's hourly cap reached: %(reads)s posts read this hour (cap %(cap)s). "
                     "Reading resumes at %(time)s UTC.", reads=run.reads, cap=self.cap,
                     time=f"{resume + timedelta(hours=1):%H:%M}")
            run.batch.notes.append(note)
            run.batch.cursor["note"] = note
        return run.batch

    def _search(self, query: str, run: _Run) -> None:
        """One query: the latest page on a first run, else every new page up to the page cap."""
        since_id = run.since.get(query, "")
        if since_id and _too_old(since_id, run.now):
            # X answers 400 to an older since_id, which would stop this source for good.
            del run.since[query]
            since_id = ""
            run.batch.notes.append(_("X: the last read is older than 7 days (the limit of "
                                     "recent search); starting again from the newest posts."))
        next_token = ""
        for page in range(1, self.max_pages + 1):
            budget = self.cap - run.reads
            if budget < RESULTS_MIN:  # X will not return fewer than 10 a page
                run.capped = True
                if next_token:
                    run.batch.notes.append(_("X: because of the hourly cap, some posts of "
                                             "«%(query)s» were not read.", query=query))
                return
            params: dict[str, Any] = {**_SEARCH_FIELDS, "query": query,
                                      "max_results": min(self.max_results, budget)}
            if since_id:
                params["since_id"] = since_id
            if next_token:
                params["next_token"] = next_token
            try:
                payload, response = self._get(SEARCH_PATH, params, run.now, run.headers)
            except RateLimited as exc:
                if not run.requests:
                    raise
                # Keep what earlier pages brought; the next round meets the 429 and waits.
                run.stopped = True
                run.batch.notes.append(_("%(problem)s What was read so far is saved.",
                                         problem=exc))
                return
            run.requests += 1
            run.reads += self._take(payload, run)
            meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
            newest = str(meta.get("newest_id") or "")
            if page == 1 and newest.isdigit():
                run.since[query] = newest  # the first page holds the newest post of this round
            next_token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else ""
            if rate_limit_remaining(response.headers) == 0:
                run.stopped = True
                reset = rate_limit_reset(response.headers, run.now)
                run.batch.notes.append(
                    _("X: no requests left in this window; reading resumes at %(time)s UTC.",
                      time=f"{reset:%H:%M}") if reset else
                    _("X: no requests left in this window; reading resumes later."))
                return
            if not since_id or not next_token:
                return
        run.batch.notes.append(_("X: «%(query)s» has more than %(pages)s pages of new posts; "
                                 "the oldest of this round were skipped.", query=query,
                                 pages=self.max_pages))

    def _take(self, payload: Any, run: _Run) -> int:
        """Add a page's posts to the batch; returns how many posts X returned (and bills)."""
        if not isinstance(payload, dict):
            raise SourceError(_("X sent an unexpected response: Piazza will try again."))
        includes = _Includes(payload.get("includes"))
        tweets = [t for t in _as_list(payload.get("data")) if isinstance(t, dict)]
        for tweet in tweets:
            tweet_id = str(tweet.get("id") or "")
            if tweet_id and tweet_id in run.seen:  # the same post matched two queries
                continue
            run.seen.add(tweet_id)
            try:
                run.batch.posts.append(_normalize(tweet, includes))
            except NormalizeError as exc:
                run.batch.skipped.append(_("X post %(id)s: %(problem)s",
                                           id=clip(tweet_id, 40) or "?", problem=exc))
        errors = _as_list(payload.get("errors"))
        if errors:
            run.batch.notes.append(_partial_note(errors))
        # Included originals (reposted, quoted, replied to) are posts returned too.
        returned = {str(t.get("id")) for t in tweets} | set(includes.tweets)
        return len(returned)

    def recheck(self, remote_ids: list[str], now: datetime) -> list[str]:
        """The ids X no longer has: reported Not Found, or missing from the answer."""
        headers = self._headers()
        ids = list(dict.fromkeys(str(i) for i in remote_ids if str(i).isdigit()))
        gone: list[str] = []
        for start in range(0, len(ids), LOOKUP_MAX):
            chunk = ids[start:start + LOOKUP_MAX]
            payload, _response = self._get(LOOKUP_PATH, {"ids": ",".join(chunk)}, now, headers)
            if not isinstance(payload, dict) or not ({"data", "errors"} & payload.keys()):
                # Taking silence for "all deleted" would hide every approved post at once.
                raise SourceError(_("X answered the check of posts with neither data nor "
                                    "errors: no post marked as deleted."))
            found = {str(t.get("id")) for t in _as_list(payload.get("data"))
                     if isinstance(t, dict)}
            # Posts X withholds (protected or suspended author) still exist: left alone.
            withheld = {
                str(e.get("resource_id") or e.get("value") or "")
                for e in _as_list(payload.get("errors"))
                if isinstance(e, dict) and not _is_not_found(e)
            }
            gone += [i for i in chunk if i not in found and i not in withheld]
        return gone


def _is_not_found(error: dict[str, Any]) -> bool:
    kind = str(error.get("type") or "")
    return kind.endswith("/resource-not-found") or error.get("title") == "Not Found Error"


def _explained(exc: SourceError) -> SourceError:
    """X's failures that need an X-specific remedy, in plain words; others unchanged."""
    if exc.status == 401:
        words = _("X refused access (401): the token is expired or wrong; check "
                  "PIAZZA_X_BEARER_TOKEN.")
    elif exc.status == 402:
        words = _("X says the credits are used up (402): top them up in X's Developer Console "
                  "(the token is valid).")
    elif exc.status == 403:
        words = _("X does not allow this read (403): the token must belong to an app linked to "
                  "a project with access to search.")
    else:
        return exc
    return SourceError(words, retry_at=exc.retry_at, status=exc.status)


def estimated_reads_per_hour(config: dict[str, Any], posts_per_minute: float,
                             event: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a setting costs: requests and posts read per hour, and the cap (for the console)."""
    interval = _interval(config)
    try:
        cap = _whole(config, "cap_per_hour", DEFAULT_CAP, RESULTS_MIN, 10**7)
    except SourceError:
        cap = DEFAULT_CAP
    try:
        queries = len(build_query(*_terms(config, event or {}), _extra(config)))
    except (SourceError, ValueError):
        queries = 0
    queries = max(queries, 1)  # without the event's lists at hand, at least one query runs
    wanted = max(float(posts_per_minute or 0), 0.0) * 60
    posts = float(min(wanted, cap))
    return {
        "queries": queries,
        "interval": interval,
        "requests_per_hour": round(3600 / interval * queries, 1),
        "posts_per_hour": round(posts, 1),
        "cap_per_hour": cap,
        "capped": wanted > cap,
        "summary": ngettext("With this setting X reads about %(num)s post an hour (cap "
                            "%(cap)s).",
                            "With this setting X reads about %(num)s posts an hour (cap "
                            "%(cap)s).", round(posts), cap=cap),
    }
