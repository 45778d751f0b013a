"""The recap as a ZIP: the standalone page with every image kept beside it, for archives.

Post images and avatars are fetched once (through the request-forgery guard: public http(s)
only, image types only, size and time capped; the bundled demo's `/static/…` files are read from
disk), re-encoded with Pillow to WebP at most 1600 px wide or tall, without metadata (EXIF, GPS,
ICC, XMP), and stored under `media/`; the page then points at those copies. SVG is kept only
when it parses as SVG and holds no script, foreignObject, event handler or outside reference.
An image that cannot be fetched or kept stays what it is in the plain page: a link with its
alt text. The export never fails because of an image.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
from flask_babel import gettext as _

from ..sources.http import Resolver, SourceError, guarded_get, make_client, system_resolver
from . import renderer
from .wording import local_moment

STATIC = Path(__file__).resolve().parents[2] / "static"
MAX_SIDE = 1600  # pixels, either side, for post images
AVATAR_SIDE = 160  # shown at 40 px: four times that covers every screen
MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024  # per image, before re-encoding
MAX_IMAGE_BYTES = 700 * 1024  # per image, as stored
MAX_TOTAL_BYTES = 80 * 1024 * 1024  # every image of a bundle
MAX_PIXELS = 60_000_000  # a larger image is a decompression bomb, not a photo
MAX_SECONDS = 180.0  # for all downloads of one bundle
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/bmp",
               "image/tiff", "image/svg+xml")
_IMAGE_KINDS = ("image", "photo")

SVG_NS = "{http://www.w3.org/2000/svg}"
_SVG_FORBIDDEN = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler",
                            "audio", "video", "listener"})
_CSS_OUTSIDE = re.compile(r"@import|url\(\s*['\"]?\s*(?!#)|expression\(|javascript:", re.I)


def images_of(recap: dict[str, Any]) -> list[tuple[str, int]]:
    """Every image the page can show, in page order, once each: (url, largest side)."""
    wanted: dict[str, int] = {}
    for section in recap["sections"]:
        for item in section["items"]:
            post = item["post"]
            avatar = post["author"].get("avatar") or ""
            if avatar:
                wanted[avatar] = max(wanted.get(avatar, 0), AVATAR_SIDE)
            for media in post.get("media") or []:
                if media.get("type") in _IMAGE_KINDS and media.get("url"):
                    wanted[media["url"]] = MAX_SIDE
    return list(wanted.items())


def read_image(url: str, client: httpx.Client, resolver: Resolver | None = None,
               static_dir: Path = STATIC) -> tuple[bytes, str]:
    """The bytes and content type of an image; raises SourceError when it cannot be had."""
    if url.startswith("/static/"):
        # The bundled demo's images: read from the project, never above its static folder.
        root = static_dir.resolve()
        path = (root / url[len("/static/"):].split("?", 1)[0]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise SourceError(_("Image not found: %(url)s", url=url))
        if path.stat().st_size > MAX_DOWNLOAD_BYTES:
            raise SourceError(_("Image too large."))
        return path.read_bytes(), mimetypes.guess_type(path.name)[0] or ""
    body, response = guarded_get(client, url, resolver=resolver or system_resolver,
                                 max_bytes=MAX_DOWNLOAD_BYTES,
                                 content_types=IMAGE_TYPES, max_seconds=30.0)
    return body, response.headers.get("content-type", "").split(";")[0].strip().lower()


def safe_svg(data: bytes) -> tuple[int | None, int | None] | None:
    """(width, height) of an SVG safe to keep, or None: it must parse as SVG and carry no
    script, foreignObject, event handler, entity, or reference outside itself."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return None
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError):
        return None
    if root.tag != SVG_NS + "svg":
        return None
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _SVG_FORBIDDEN:
            return None
        if name == "style" and _CSS_OUTSIDE.search(element.text or ""):
            return None
        if name in ("set", "animate") and element.get("attributeName", "").endswith("href"):
            return None
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return None
            if local == "href" and not value.strip().startswith("#"):
                return None
            if local == "style" and _CSS_OUTSIDE.search(value):
                return None
    return _svg_size(root)


def _svg_size(root: ElementTree.Element) -> tuple[int | None, int | None]:
    def number(value: str | None) -> int | None:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
        return round(float(match[1])) if match else None
    width, height = number(root.get("width")), number(root.get("height"))
    if width and height:
        return width, height
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        return round(float(box[2])), round(float(box[3]))
    except (IndexError, ValueError):
        return None, None


def reencode(data: bytes, max_side: int = MAX_SIDE,
             max_bytes: int = MAX_IMAGE_BYTES) -> tuple[bytes, int, int] | None:
    """A raster image as WebP, at most `max_side` px, no metadata, under `max_bytes`; None when
    it is not an image Pillow can read, is too large to decode safely, or will not fit."""
    # Imported here: only the ZIP bundle needs Pillow, and the server starts faster without it.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                return None
            image.seek(0)  # animations keep their first frame
            image = ImageOps.exif_transpose(image)  # turn it upright before the EXIF goes
            alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if alpha else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    side = max_side
    for _hop in range(6):
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        # A fresh image from the pixels alone: nothing of the original's metadata comes along.
        clean = Image.frombytes(copy.mode, copy.size, copy.tobytes())
        for quality in (80, 65, 50):
            out = io.BytesIO()
            clean.save(out, "WEBP", quality=quality, method=4)
            if out.tell() <= max_bytes:
                return out.getvalue(), clean.width, clean.height
        side = int(side * 0.7)
    return None


def collect(recap: dict[str, Any], client: httpx.Client, resolver: Resolver | None = None,
            static_dir: Path = STATIC, clock: Callable[[], float] = time.monotonic
            ) -> tuple[dict[str, dict[str, Any]], dict[str, bytes]]:
    """Fetch and keep every image: ({original url: {src, width, height}}, {path: bytes})."""
    local: dict[str, dict[str, Any]] = {}
    files: dict[str, bytes] = {}
    total, deadline = 0, clock() + MAX_SECONDS
    for url, side in images_of(recap):
        if clock() > deadline:
            break
        try:
            data, kind = read_image(url, client, resolver, static_dir)
        except (SourceError, OSError):
            continue
        if kind == "image/svg+xml" or (not kind and data.lstrip()[:5] in (b"<svg ", b"<?xml")):
            size = safe_svg(data) if len(data) <= MAX_IMAGE_BYTES else None
            if size is None:
                continue
            stored, (width, height), ext = data, size, "svg"
        else:
            encoded = reencode(data, side)
            if encoded is None:
                continue
            stored, width, height = encoded
            ext = "webp"
        if total + len(stored) > MAX_TOTAL_BYTES:
            continue
        total += len(stored)
        name = f"media/{hashlib.sha256(url.encode()).hexdigest()[:20]}.{ext}"
        files[name] = stored
        local[url] = {"src": name, "width": width, "height": height}
    return local, files


def render_bundle(recap: dict[str, Any], client: httpx.Client | None = None,
                  resolver: Resolver | None = None, static_dir: Path = STATIC,
                  images: bool = True) -> bytes:
    """The ZIP: SLUG/index.html and SLUG/media/…; `images=False` leaves every image a link."""
    from .renderers import render_page

    local: dict[str, dict[str, Any]] = {}
    files: dict[str, bytes] = {}
    if images:
        own = client is None
        client = client or make_client()
        try:
            local, files = collect(recap, client, resolver, static_dir)
        finally:
            if own:
                client.close()
    slug = recap["event"]["slug"]
    stamp = _stamp(recap)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, f"{slug}/index.html", render_page(recap, local).encode(), stamp, True)
        for name, data in files.items():
            _add(archive, f"{slug}/{name}", data, stamp, name.endswith(".svg"))
    return out.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple, compress: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    # WebP is compressed already; deflating it again only costs time.
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _stamp(recap: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    # The event's day, so the same recap always makes the same archive.
    start = recap["event"].get("starts_at")
    if not start:
        return (1980, 1, 1, 0, 0, 0)
    moment = local_moment(start, recap["event"]["timezone"])
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)


@renderer("zip", ".zip", "application/zip")
def render_zip(recap: dict[str, Any]) -> bytes:
    """The page and its images in one archive (images fetched through the guard)."""
    return render_bundle(recap)
