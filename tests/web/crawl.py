"""Crawl the pages a logged-in user reaches by links (same origin, GET, bounded) and find the
ASCII words in what the user reads (§6 of #16: no English or raw code on a page)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from fastapi.testclient import TestClient

#: Units, standards and codes a Chinese page legitimately shows (ASCII words of 2+ letters).
ALLOWED = frozenset(
    {
        # units of measurement
        "mg", "kg", "km", "px", "dB", "ug", "pH", "NTU", "Nm",
        # standards, protocols, file formats, identifiers the office uses as such
        "HJ", "GB", "IP", "MN", "ID", "CN", "SMTP", "COD", "TCP", "URL", "SHA",
        "zip", "ZIP",
        # file formats
        "PDF", "DOC", "DOCX", "XLS", "XLSX", "PPT", "PPTX", "JPG", "PNG", "CSV", "Excel", "xlsx",
        "csv",
        # a stored file's extension in its name (监测报告.pdf)
        "pdf", "docx", "doc", "png", "jpg", "jpeg",
        # chemical formulae of pollutants (NH3-N, SO2, NOx, PM2.5, Cu)
        "NH", "SO", "NO", "NOx", "PM", "VOCs", "Cu", "Cr", "Ni", "Zn", "Pb", "Cd", "Hg", "As",
        "TP", "TN",
    }
)  # fmt: skip

#: A word: two letters or more standing alone.  Letters inside a code that also has digits (an
#: HJ 212 MN such as 010000A8900016F000169DC0, a hash fingerprint) are not a word.
#: A 信访 查询码 (eco263/petitions/actions.py ``_new_code``): "XF" and 10 of 23456789 and the
#: letters without I, L, O — a code to read out, which may by chance hold no digit at all.
TRACKING_CODE = re.compile(r"(?<![A-Za-z0-9])XF[2-9A-HJKMNP-Z]{10}(?![A-Za-z0-9])")
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")

#: Raw machine text that is not a word: an HJ 212 factor code instead of its name (w20122 for
#: 总铜), an ISO timestamp (UTC, with its "T") instead of Beijing time.
RAW_CODES = (
    re.compile(r"(?<![A-Za-z0-9])[wa]\d{5}(?![0-9])"),
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
)

#: Links not followed: leaving the session, downloads (not pages), the API's own pages.
SKIP_PREFIXES = ("/logout", "/static/", "/api/", "/docs", "/openapi", "/redoc")
SKIP_SUFFIXES = (".xlsx", ".pdf", ".docx", ".zip", ".csv", ".json", ".png", ".jpg")


#: Elements without an end tag (they never hold text).
VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
     "wbr")
)  # fmt: skip


SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")


class _Text(HTMLParser):
    """The text a reader sees (with :data:`SHOWN_ATTRIBUTES`) and the links.  Scripts, styles
    and templates are dropped, and so
    is what a page marks ``translate="no"`` (HTML's own mark for text that is not language:
    login names, hash fingerprints) — each such mark is explicit in a template."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hides its text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "a" and named.get("href"):
            self.links.append(str(named["href"]))
        hides = tag in ("script", "style", "template", "noscript")
        hides = hides or named.get("translate") == "no"
        if tag not in VOID:
            self._open.append((tag, hides))
        if not hides and not any(h for _, h in self._open):
            # what a reader also sees: tooltips, placeholders, image texts, screen-reader names
            self.parts.extend(str(named[a]) for a in SHOWN_ATTRIBUTES if named.get(a))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        if not any(hides for _, hides in self._open):
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    """ASCII words of two letters or more outside :data:`ALLOWED`, and raw codes
    (:data:`RAW_CODES`), in the page's visible text."""
    parser = _Text()
    parser.feed(html)
    text = TRACKING_CODE.sub(" ", " ".join(parser.parts))
    words = {w for w in WORD.findall(text) if w not in ALLOWED}
    return words | {code for pattern in RAW_CODES for code in pattern.findall(text)}


def _shape(path: str) -> str:
    """A page's kind: numbers stand for any id (so one of each kind is enough)."""
    return re.sub(r"\d+", "{n}", path)


@dataclass
class Crawl:
    """What a crawl found: page → words, and every page visited."""

    found: dict[str, set[str]] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)


def crawl(
    client: TestClient, start: str = "/", *, max_pages: int = 250, per_shape: int = 3
) -> Crawl:
    """Breadth-first over same-origin links from ``start``; at most ``per_shape`` pages of one
    shape (``/problems/{n}``, ``/problems?page={n}`` …) and ``max_pages`` in all."""
    result = Crawl()
    queue: deque[str] = deque([start])
    seen: set[str] = {start}
    shapes: dict[str, int] = {}
    while queue and len(result.visited) < max_pages:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        result.visited.append(url)
        words = english_words(response.text)
        if words:
            result.found[url] = words
        for link in _links(response.text, str(response.url)):
            shape = _shape(link)
            if link in seen or shapes.get(shape, 0) >= per_shape:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    return result


def _links(html: str, base: str) -> Iterator[str]:
    parser = _Text()
    parser.feed(html)
    origin = urlparse(base)
    for href in parser.links:
        target = urlparse(urljoin(base, href))
        if (target.scheme, target.netloc) != (origin.scheme, origin.netloc):
            continue
        path = target.path
        if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
            continue
        yield path + (f"?{target.query}" if target.query else "")
