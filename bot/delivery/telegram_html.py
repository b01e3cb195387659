"""Telegram's HTML parse mode, checked before a text is stored for sending.

Staff write announcements that are sent later to thousands of families; a text Telegram
refuses ("can't parse entities") would fail every row. So the rules Telegram applies are
applied here first: only its tags (``b``, ``i``, ``u``, ``s``, ``a href``, ``code``, ``pre``,
``blockquote``, spoilers, custom emoji), properly nested, and at most 4096 characters (UTF-16
code units, as Telegram counts them) of visible text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.bidi import isolate_ltr

MAX_MESSAGE_LENGTH = 4096

# Tags Telegram accepts in HTML parse mode (and their synonyms).
TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "a",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_TEXT = re.compile(r"[^<&]+")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_START_TAG = re.compile(
    r"""<([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z][A-Za-z0-9-]*"""
    r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*>"""
)
_ATTRIBUTE = re.compile(
    r"""([A-Za-z][A-Za-z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
# Something a writer meant as a tag: "<b>", "</i>" (but not "<3" or "a < b").
_LOOKS_LIKE_TAG = re.compile(r"</?[A-Za-z]")


class TelegramHtmlError(ValueError):
    """Telegram would refuse the text; ``msg_id`` (with ``args``) says why, for the writer."""

    def __init__(self, msg_id: str, **args: str | int) -> None:
        super().__init__(msg_id)
        self.msg_id = msg_id
        self.details = args


@dataclass(frozen=True)
class CheckedHtml:
    """A text Telegram accepts: the HTML to send, and what a reader sees of it."""

    html: str
    text: str  # the visible text, tags removed and character references decoded
    length: int  # of the visible text, in UTF-16 code units


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def looks_like_html(text: str) -> bool:
    """Whether plain typed text contains something meant as a tag."""
    return _LOOKS_LIKE_TAG.search(text) is not None


def check_html(source: str) -> CheckedHtml:
    """Check ``source`` against Telegram's HTML rules; raise :class:`TelegramHtmlError`.

    A bare ``&`` that starts no character reference is escaped, so the result is valid
    whichever way a client reads it. The visible text must not be empty and must fit in
    one message.
    """
    out: list[str] = []  # the normalised HTML
    visible: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(source):
        if run := _TEXT.match(source, i):
            out.append(run.group())
            visible.append(run.group())
            i = run.end()
        elif source[i] == "&":
            ref = _CHAR_REF.match(source, i)
            if ref is None:
                out.append("&amp;")
                visible.append("&")
                i += 1
            else:
                out.append(ref.group())
                visible.append(html.unescape(ref.group()))
                i = ref.end()
        elif end := _END_TAG.match(source, i):
            name = end.group(1).lower()
            if not stack:
                raise TelegramHtmlError("bc-html-unexpected-end", tag=name)
            if stack[-1] != name:
                raise TelegramHtmlError("bc-html-wrong-end", tag=name, expected=stack[-1])
            stack.pop()
            out.append(end.group())
            i = end.end()
        elif start := _START_TAG.match(source, i):
            name = start.group(1).lower()
            if name not in TAGS:
                raise TelegramHtmlError("bc-html-unsupported", tag=name)
            _check_attributes(name, _attributes(start.group(2)))
            stack.append(name)
            out.append(start.group())
            i = start.end()
        else:
            tag = _TAG_NAME.match(source, i)
            if tag is not None and tag.group(1).lower() not in TAGS:
                raise TelegramHtmlError("bc-html-unsupported", tag=tag.group(1).lower())
            if tag is not None or source.startswith("</", i):
                raise TelegramHtmlError("bc-html-broken-tag")
            # A lone "<" (as in "a < b"): Telegram needs it escaped.
            out.append("&lt;")
            visible.append("<")
            i += 1
    if stack:
        raise TelegramHtmlError("bc-html-unclosed", tag=stack[-1])
    text = "".join(visible)
    if not text.strip():
        raise TelegramHtmlError("bc-text-empty")
    length = utf16_length(text)
    if length > MAX_MESSAGE_LENGTH:
        raise TelegramHtmlError("bc-text-too-long", length=length, max=MAX_MESSAGE_LENGTH)
    return CheckedHtml("".join(out), text, length)


def _attributes(raw: str) -> dict[str, str]:
    return {
        key.lower(): html.unescape(v1 or v2 or v3) for key, v1, v2, v3 in _ATTRIBUTE.findall(raw)
    }


def _check_attributes(name: str, attributes: dict[str, str]) -> None:
    if name == "a" and not attributes.get("href"):
        raise TelegramHtmlError("bc-html-link-without-address")
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise TelegramHtmlError("bc-html-unsupported", tag="span")
    if name == "tg-emoji" and not attributes.get("emoji-id"):
        raise TelegramHtmlError("bc-html-unsupported", tag="tg-emoji")


def announcement_html(text: str, formatted_html: str | None, *, rtl: bool = False) -> CheckedHtml:
    """What a staff member typed, as checked Telegram HTML.

    ``formatted_html`` is the text with the formatting they applied in their Telegram app
    (bold, links...), already HTML; without any, the typed text is HTML when it contains
    tags, and plain text (escaped) otherwise. A text for a right-to-left language (``rtl``)
    has its left-to-right runs isolated here, so the length checked is the length sent.
    """
    if formatted_html is not None:
        source = formatted_html
    elif looks_like_html(text):
        source = text
    else:
        source = html.escape(text, quote=False)
    return check_html(isolate_ltr(source) if rtl else source)
