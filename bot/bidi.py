"""Right-to-left safety: left-to-right runs inside Arabic text are isolated.

In a right-to-left paragraph the Unicode Bidirectional Algorithm (UAX #9) reorders digit
groups separated by spaces and the pieces of a Latin phrase: "09 2525 0111" is shown as
"0111 2525 09", "/find" as "find/", "112 Suomi" as "Suomi 112". A family could dial a wrong
number. :func:`isolate_ltr` wraps every such run (phone numbers, URLs, e-mail addresses,
commands, times and dates, Latin-script names and codes) in U+2066 LEFT-TO-RIGHT ISOLATE ...
U+2069 POP DIRECTIONAL ISOLATE, so it is laid out left to right as one unit and, to the
Arabic around it, counts as one neutral character. Why isolates and not LRM marks:
``locales/STYLE.md``, section "Right-to-left isolation".

The marks go outside the run (a copied phone number is digits only), never inside an HTML tag
or entity (texts are Telegram HTML), and a run already inside an isolate is left alone, so the
function can be applied to a text and again to a text built from it.
"""

from __future__ import annotations

import re
import unicodedata

LRI = "\u2066"
PDI = "\u2069"
# Every isolate initiator (LRI, RLI, FSI); an isolated span ends at its PDI.
_INITIATORS = "\u2066\u2067\u2068"

# A run is made of "core" pieces (Latin letters, ASCII digits, HTML entities such as &amp;)
# joined by the neutral characters that occur inside numbers, URLs, addresses and names.
# It starts with a core piece (or "+" of a phone number, "/" of a command, "@" of a handle)
# and ends with one, so punctuation around it ("(MLL)", "0111.") stays in the Arabic text;
# brackets are never inside a run, so a pair is never split by a mark.
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_ENTITY = r"&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);"
_CORE = rf"(?:[{_LATIN}0-9]|{_ENTITY})"
# "&" of a plain-text URL query joins too, unless it starts an entity (kept whole as a core).
_JOINERS = rf"(?:[ .,:;\-\u2010-\u2015/@_+=%?#~'\u2019\u00a0\u202f]|&(?!{_ENTITY[1:]}))"
# It starts with a letter or digit: an entity alone ("&lt;") is punctuation, not a run. It may
# end with the "/" of a URL's path ("https://www.mll.fi/vanhemmille/").
_RUN = rf"[+/@]?[{_LATIN}0-9]{_CORE}*(?:{_JOINERS}+{_CORE}+)*/?"

_ALTERNATIVES = "|".join(
    (
        rf"(?P<isolated>[{_INITIATORS}][^{PDI}]*{PDI}?)",  # already isolated: kept as is
        # An HTML tag and its attributes (quoted values may hold ">"): never touched.
        r"""(?P<tag><[A-Za-z/!](?:"[^"]*"|'[^']*'|[^<>"'])*>)""",
        rf"(?P<run>{_RUN})",
        # An entity outside a run ("&lt;" before Arabic) is consumed whole, so the
        # search never starts a run at its "lt".
        _ENTITY,
    )
)
# The lookahead rejects most positions (Arabic letters, spaces) with one class test instead of
# four alternatives: half the time on a real Arabic card.
_PATTERN = re.compile(rf"(?=[<&+/@{_INITIATORS}{_LATIN}0-9])(?:{_ALTERNATIVES})")
# Fast path: a text without a Latin letter or a digit has nothing to isolate.
_ANY_LTR = re.compile(rf"[{_LATIN}0-9]")


def _wrap(match: re.Match[str]) -> str:
    run = match.group("run")
    if run is None or run.isdigit():
        # A lone number ("بعد 30 يومًا") has nothing to reorder: its digits always read left
        # to right, and digits never decide a paragraph's direction.
        return match.group(0)
    return f"{LRI}{run}{PDI}"


def isolate_ltr(text: str) -> str:
    """``text`` with each left-to-right run wrapped in LRI ... PDI (see the module doc), and
    each line with Arabic in it whose first strong character is still left-to-right (an
    emoji such as 🆘 or a flag, which Unicode classes as a Latin letter; a Latin name)
    opened with RLM, so the line stays a
    right-to-left paragraph in clients that take a paragraph's direction from its first
    strong character (Telegram Desktop does, even inside isolates: locales/STYLE.md).

    Meant for right-to-left text only: left-to-right locales never call it. Idempotent.
    """
    if _ANY_LTR.search(text) is not None:
        text = _PATTERN.sub(_wrap, text)
    if _MAYBE_LTR_START.search(text) is None:
        return text
    return "\n".join(
        RLM + line if _ARABIC.search(line) and _first_strong(line) == "L" else line
        for line in text.split("\n")
    )


RLM = "\u200f"
# A line can start left-to-right only if it holds a character outside Arabic, spaces and
# common punctuation: the fast path for a whole Arabic text.
_MAYBE_LTR_START = re.compile(r"[^\u0600-\u06ff\s.,:;!?()«»\u060c\u061b\u061f\u2066-\u2069\u200f]")
# Only a line with Arabic in it is a right-to-left line; a left-to-right fragment (an isolated
# value on its way into a line) gets no mark.
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_SKIPPED = re.compile(rf"""<[A-Za-z/!](?:"[^"]*"|'[^']*'|[^<>"'])*>|{_ENTITY}""")


def _first_strong(line: str) -> str | None:
    """The bidi class (L or R) of the first strong character of ``line``, HTML tags and
    entities skipped. Isolated runs count: Telegram Desktop's StringDirection does not skip
    them (UAX #9 P2 would), so a line that starts with an isolated name needs the RLM too."""
    for piece in _SKIPPED.split(line):
        for char in piece:
            kind = unicodedata.bidirectional(char)
            if kind == "L":
                return "L"
            if kind in ("R", "AL"):
                return "R"
    return None


def strip_isolates(text: str) -> str:
    """``text`` without the marks :func:`isolate_ltr` adds (e.g. to compare with typed text)."""
    return text.replace(LRI, "").replace(PDI, "").replace(RLM, "")
