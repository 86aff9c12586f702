"""HTML of education articles: a small allow-list enforced by nh3 (the Rust ``ammonia`` sanitiser).

Staff write the body in plain paragraphs or in a little HTML. Whatever they paste, what is stored and
shown keeps only these tags and attributes: no script or style, no event handlers (``onerror``), no
``javascript:``/``data:`` URLs (only https, http, mailto and tel links), no images inside the text
(images are uploaded separately and cleaned of metadata), and every link gets
``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h2", "h3", "blockquote", "a"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
ALLOWED_SCHEMES = {"https", "http", "mailto", "tel"}
_TAG = re.compile(r"<[a-zA-Z/!]")


def clean_html(text: str) -> str:
    """The body as safe HTML. Plain text (no tags) becomes paragraphs split on blank lines."""
    text = (text or "").replace("\r\n", "\n").strip()
    if text and not _TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )
