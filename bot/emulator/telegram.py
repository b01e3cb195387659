"""A strict emulator of the Telegram Bot API, for the end-to-end tests and `valo-bot demo`.

The fake is a real HTTP server (aiohttp) on 127.0.0.1 with a random free port, so
the production code path -- aiogram's ``Bot`` with its ``AiohttpSession`` -- runs
unchanged: requests arrive as ``POST {base_url}/bot{token}/{method}`` and get
Telegram's exact response envelope and HTTP status.

It is deliberately *strict*: it refuses what the real Telegram refuses (text over
4096 UTF-16 code units after HTML parsing, unsupported or unbalanced HTML, invalid
buttons, no-op edits, unknown chats, blocked users) with Telegram's own error
descriptions, so a bot that passes here does not fail in production for those
reasons.

Tests use three groups of API:

* user simulation (``user``, ``send_text``, ``send_command``, ``press``, ``block``...)
  enqueues updates that the bot receives through getUpdates or a webhook; groups,
  supergroups and channels (``group``, ``add_bot``, ``remove_bot``, ``send_group_text``,
  ``join_group``) deliver what Telegram delivers from them, and ``leaveChat`` works;
* observation (``messages``, ``wait_message``, ``wait_until``, ``calls``...): every
  waiter is woken by state-change notifications and bounded by a deadline, never
  synchronised with fixed sleeps;
* fault injection (``fail_429``, ``fail_5xx``, ``fail_403``, ``lose_response``,
  ``hold``) on the send/edit methods (or any methods you name).

Everything must be called from the event loop that runs the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import mimetypes
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import (
    BodyPartReader,
    ClientError,
    ClientResponse,
    ClientSession,
    ClientTimeout,
    MultipartReader,
    web,
)

if TYPE_CHECKING:
    from aiogram import Bot

__all__ = [
    "GROUP_KINDS",
    "SEND_METHODS",
    "TEST_TOKEN",
    "ApiError",
    "BotMessage",
    "CallRecord",
    "CallbackQueryRecord",
    "FakeTelegram",
    "Fault",
    "HeldRequest",
    "SimGroup",
    "SimUser",
    "StoredDocument",
    "UpdateRecord",
    "WaitTimeout",
    "WebhookDelivery",
    "parse_html",
    "utf16_len",
]

JSON = dict[str, Any]
T = TypeVar("T")

TEST_TOKEN = "7000000001:AAH-fake-token-for-valo-e2e-tests"
DEFAULT_BOT_ID = 7000000001
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Methods that fault injection targets unless told otherwise.
SEND_METHODS: frozenset[str] = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendLocation",
        "sendVenue",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)

# Update types Telegram withholds unless they are explicitly listed in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Form fields that aiogram sends as JSON-encoded strings.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "link_preview_options",
        "allowed_updates",
        "reply_parameters",
    }
)
_INLINE_BUTTON_KINDS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
_BLOCKED = "Forbidden: bot was blocked by the user"
GROUP_KINDS = ("group", "supergroup", "channel")
# What Telegram lists for a bot made an administrator (every flag ChatMemberAdministrator needs).
_ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": False,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
}


class ApiError(Exception):
    """A Telegram error response, raised inside method handlers."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JSON:
        """Telegram's error body: ok=false, error_code, description[, parameters]."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class WaitTimeout(AssertionError, TimeoutError):
    """A test wait ran past its deadline: a failed expectation, catchable as either base."""


def _bad(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


# --------------------------------------------------------------------------- text rules


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and offsets."""
    return len(text.encode("utf-16-le")) // 2


_TEXT_RUN_RE = re.compile(r"[^<&]+")
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_END_TAG_RE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_TAG_NAME_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_TAG_REST_RE = re.compile(
    r"""((?:\s+[A-Za-z][A-Za-z0-9-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*>"""
)
_ATTR_RE = re.compile(r"""([A-Za-z][A-Za-z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}


def _decode_ref(ref: str) -> str:
    if ref in _NAMED_REFS:
        return _NAMED_REFS[ref]
    code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def _decode_refs(text: str) -> str:
    return _CHAR_REF_RE.sub(lambda m: _decode_ref(m.group(1)), text)


def _tag_entity(name: str, attrs: dict[str, str], stack: list[Any], at: str) -> JSON | None:
    """The entity a start tag opens (None if it opens none), validating its attributes."""
    if name == "a":
        href = attrs.get("href")
        return {"type": "text_link", "url": href} if href else None
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _bad(f'can\'t parse entities: Tag "span" must have class "tg-spoiler" {at}')
    if name == "tg-emoji":
        if not attrs.get("emoji-id"):
            raise _bad(f'can\'t parse entities: Tag "tg-emoji" must have attribute "emoji-id" {at}')
        return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if name == "code" and stack and stack[-1][0] == "pre" and stack[-1][2] is not None:
        # <pre><code class="language-x"> is one pre entity carrying the language.
        css = attrs.get("class", "")
        if css.startswith("language-"):
            stack[-1][2]["language"] = css.removeprefix("language-")
            return None
    return {"type": _TAG_ENTITY[name]}


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Apply Telegram's HTML parse mode: return the plain text and its entities.

    Only Telegram's tags are accepted and they must nest properly; a stray ``<``
    is refused just like Telegram refuses it. Entity offsets are UTF-16 based.
    """
    out: list[str] = []
    offset = 0
    stack: list[tuple[str, int, JSON | None]] = []
    entities: list[JSON] = []
    i = 0
    while i < len(source):
        if run := _TEXT_RUN_RE.match(source, i):
            piece, i = run.group(), run.end()
        elif source[i] == "&":
            ref = _CHAR_REF_RE.match(source, i)
            # A bare '&' is kept literally, as Telegram does.
            piece, i = (_decode_ref(ref.group(1)), ref.end()) if ref else ("&", i + 1)
        else:
            at = f"at byte offset {len(source[:i].encode())}"
            if source.startswith("</", i):
                end = _END_TAG_RE.match(source, i)
                if end is None:
                    raise _bad(f"can't parse entities: Unclosed end tag {at}")
                name = end.group(1).lower()
                if not stack:
                    raise _bad(f"can't parse entities: Unexpected end tag {at}")
                open_name, start, entity = stack.pop()
                if name != open_name:
                    raise _bad(
                        f"can't parse entities: Unmatched end tag {at}, "
                        f'expected "</{open_name}>", found "</{name}>"'
                    )
                if entity is not None and offset > start:
                    entities.append({**entity, "offset": start, "length": offset - start})
                i = end.end()
                continue
            tag = _TAG_NAME_RE.match(source, i)
            name = tag.group(1).lower() if tag else ""
            if tag is None or name not in _TAG_ENTITY:
                raise _bad(f'can\'t parse entities: Unsupported start tag "{name}" {at}')
            rest = _TAG_REST_RE.match(source, tag.end())
            if rest is None:
                raise _bad(f"can't parse entities: Unclosed start tag {at}")
            attrs = {
                key.lower(): _decode_refs(v1 or v2 or v3)
                for key, v1, v2, v3 in _ATTR_RE.findall(rest.group(1))
            }
            stack.append((name, offset, _tag_entity(name, attrs, stack, at)))
            i = rest.end()
            continue
        out.append(piece)
        offset += utf16_len(piece)
    if stack:
        reason = f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
        raise _bad(f"can't parse entities: {reason}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def render_text(
    text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
) -> tuple[str, list[JSON]]:
    """Validate message text (or a caption) the way Telegram does; return text and entities."""
    text = text or ""
    if parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            text, parsed = parse_html(text)
        elif mode in ("markdown", "markdownv2"):
            parsed = []  # Markdown is not emulated: the text is kept (and counted) verbatim.
        else:
            raise _bad("unsupported parse_mode")
    elif entities is None:
        parsed = []
    elif isinstance(entities, list) and all(isinstance(e, dict) for e in entities):
        parsed = [dict(e) for e in entities]
    else:
        raise _bad("can't parse entities JSON object")
    if caption:
        if utf16_len(text) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
    else:
        if not text.strip():
            raise _bad("message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
    return text, parsed


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise _bad("reply markup is too long")
    for button in itertools.chain.from_iterable(rows):
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise _bad(prefix + "InlineKeyboardButton must be an Object")
        if not isinstance(button.get("text"), str):
            raise _bad(prefix + 'Field "text" must be of type String')
        kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
        if not kinds:
            raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(kinds) > 1:
            raise _bad(prefix + "exactly one of the optional fields must be used")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
            raise _bad("BUTTON_URL_INVALID")


def check_reply_markup(markup: Any, *, inline_only: bool) -> JSON | None:
    """Validate reply_markup (inline keyboard, reply keyboard, remove, force reply)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise _bad("inline keyboard expected")
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, str) and not (
                isinstance(button, dict) and isinstance(button.get("text"), str)
            ):
                raise _bad(
                    "can't parse keyboard button: KeyboardButton must be a String or an Object"
                )
    elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
        raise _bad("can't parse reply keyboard markup JSON object")
    return markup


# --------------------------------------------------------------------------- records


@dataclass
class SimUser:
    """A simulated Telegram user and their private chat with the bot."""

    user_id: int
    first_name: str
    language_code: str | None
    username: str | None = None
    last_name: str | None = None
    blocked: bool = False
    has_written: bool = False

    def to_user(self) -> JSON:
        """The Telegram ``User`` object."""
        user: JSON = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        extra = {"last_name": self.last_name, "username": self.username}
        user.update({k: v for k, v in extra.items() if v is not None})
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_id(self) -> int:
        """The id of the private chat (the user's id, as in Telegram)."""
        return self.user_id

    def to_chat(self) -> JSON:
        """The Telegram ``Chat`` object of the private chat."""
        chat: JSON = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        extra = {"last_name": self.last_name, "username": self.username}
        chat.update({k: v for k, v in extra.items() if v is not None})
        return chat


@dataclass
class SimGroup:
    """A simulated group, supergroup or channel, and the bot's status in it."""

    chat_id: int
    title: str
    kind: str  # one of GROUP_KINDS
    bot_status: str = "left"  # left | member | administrator | kicked

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status in ("member", "administrator")

    def to_chat(self) -> JSON:
        """The Telegram ``Chat`` object."""
        return {"id": self.chat_id, "type": self.kind, "title": self.title}


@dataclass
class StoredDocument:
    """A document the bot uploaded (raw bytes kept for assertions)."""

    file_id: str
    file_unique_id: str
    filename: str
    mime_type: str
    data: bytes
    caption: str | None


@dataclass(eq=False)
class BotMessage:
    """A bot->user message: current state (``data``), edit history and deletion flag."""

    chat_id: int
    message_id: int
    method: str
    data: JSON
    params: JSON
    reply_markup: JSON | None
    sent_at: float
    history: list[JSON] = field(default_factory=list)
    deleted: bool = False
    document: StoredDocument | None = None

    @property
    def text(self) -> str | None:
        """Current text, or caption for media messages."""
        value = self.data.get("text", self.data.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def entities(self) -> list[JSON]:
        """Current text/caption entities."""
        found = self.data.get("entities", self.data.get("caption_entities"))
        return list(found) if isinstance(found, list) else []

    @property
    def edited(self) -> bool:
        """True once the message was edited at least once."""
        return bool(self.history)

    @property
    def buttons(self) -> list[JSON]:
        """Buttons of the current inline keyboard, flattened row by row."""
        rows = (self.data.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        """callback_data of the current inline keyboard buttons, in order."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    @property
    def link_preview_disabled(self) -> bool:
        """Whether the send asked for no link preview (either API spelling)."""
        options = self.params.get("link_preview_options")
        if isinstance(options, dict) and options.get("is_disabled"):
            return True
        return str(self.params.get("disable_web_page_preview", "")).lower() in ("true", "1")


@dataclass(eq=False)
class CallbackQueryRecord:
    """A simulated button press and the bot's answerCallbackQuery, if any."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int | None
    data: str | None
    created_at: float
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    answered_at: float | None = None


@dataclass(eq=False)
class UpdateRecord:
    """An enqueued update and its delivery state."""

    update_id: int
    kind: str
    payload: JSON
    deliveries: int = 0
    confirmed: bool = False
    dropped: bool = False


@dataclass(eq=False)
class CallRecord:
    """One API call as seen by the server. ``status`` is None while in flight."""

    method: str
    params: JSON
    token: str
    via: str
    started_at: float
    files: list[str] = field(default_factory=list)
    status: int | None = None
    description: str | None = None
    result: Any = None
    fault: str | None = None
    response_lost: bool = False
    client_gone: bool = False

    @property
    def ok(self) -> bool:
        """True when Telegram answered ok=true (even if the response was then lost)."""
        return self.status == 200


@dataclass(eq=False)
class WebhookDelivery:
    """One attempt to push an update to a webhook URL."""

    url: str
    update_id: int
    status: int | None
    error: str | None
    secret_sent: str | None
    at: float


@dataclass(eq=False)
class HeldRequest:
    """A request parked by :meth:`FakeTelegram.hold`; release or drop it to continue."""

    method: str
    params: JSON
    chat_id: int | None
    store: bool
    message: BotMessage | None = None
    holding: bool = False
    released: bool = False
    dropped: bool = False
    client_gone: bool = False
    _gate: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def release(self) -> None:
        """Let the held request proceed and answer normally."""
        self.released = True
        self._gate.set()

    def drop(self) -> None:
        """Close the held connection without any response."""
        self.dropped = True
        self._gate.set()


@dataclass(eq=False)
class Fault:
    """An injected failure; ``seen``/``fired`` count matching and failed calls."""

    kind: str
    methods: frozenset[str] | None
    chat_id: int | None
    times: int | None
    nth: int | None
    status: int = 0
    description: str = ""
    parameters: JSON | None = None
    store: bool = True
    seen: int = 0
    fired: int = 0
    active: bool = True
    held: list[HeldRequest] = field(default_factory=list)

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether a call is in this fault's scope (method set and chat filter)."""
        if not self.active or (self.methods is not None and method.lower() not in self.methods):
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def due(self) -> bool:
        """Whether the call just counted in ``seen`` should fail."""
        if self.nth is not None:
            return self.seen == self.nth
        return self.times is None or self.fired < self.times

    def cancel(self) -> None:
        """Stop injecting this fault."""
        self.active = False

    def error(self) -> ApiError:
        """The error a refusing fault answers with."""
        return ApiError(self.status, self.description, self.parameters)


@dataclass
class _Upload:
    filename: str
    content_type: str
    data: bytes


def _document_type(upload: _Upload) -> str:
    if not upload.data:
        raise _bad("file must be non-empty")
    mime_type = mimetypes.guess_type(upload.filename)[0] or upload.content_type
    return mime_type or "application/octet-stream"


def _photo_type(upload: _Upload) -> str:
    if not upload.data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        raise _bad("IMAGE_PROCESS_FAILED")
    return "image/png" if upload.data.startswith(b"\x89PNG") else "image/jpeg"


def _document_json(document: StoredDocument) -> JSON:
    return {
        "file_id": document.file_id,
        "file_unique_id": document.file_unique_id,
        "file_name": document.filename,
        "mime_type": document.mime_type,
        "file_size": len(document.data),
    }


def _photo_json(photo: StoredDocument) -> list[JSON]:
    # One size only: the fake does not scale images.
    return [
        {
            "file_id": photo.file_id,
            "file_unique_id": photo.file_unique_id,
            "width": 320,
            "height": 320,
            "file_size": len(photo.data),
        }
    ]


@dataclass(frozen=True)
class _FileKind:
    """What sendDocument and sendPhoto do differently; the rest of the upload is shared."""

    field: str  # the file's parameter, and the field of the Message that shows it
    id_prefix: str  # how Telegram's file ids of this kind begin
    unique_prefix: str
    max_bytes: int
    # The upload's MIME type; raises Telegram's error for content it refuses.
    mime_type: Callable[[_Upload], str]
    describe: Callable[[StoredDocument], Any]  # the Message field's value
    url_error: str  # for an HTTP URL, which the fake cannot fetch (no network in tests)


_DOCUMENT = _FileKind(
    "document",
    "BQACAgIAAxkBAAI",
    "AgAD",
    MAX_UPLOAD_BYTES,
    _document_type,
    _document_json,
    "failed to get HTTP URL content",
)
_PHOTO = _FileKind(
    "photo",
    "AgACAgIAAxkBAAI",
    "AQAD",
    10 * 1024 * 1024,
    _photo_type,
    _photo_json,
    "wrong file identifier/HTTP URL specified",
)


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    token: str
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Ctx:
    """One method invocation: decoded parameters plus typed accessors."""

    token: str
    method: str
    params: JSON
    files: dict[str, _Upload]
    message: BotMessage | None = None

    def get_str(self, name: str) -> str | None:
        value = self.params.get(name)
        return None if value is None else str(value)

    def get_int(self, name: str) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise _bad(f"invalid {name} specified")

    def get_float(self, name: str) -> float | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.params.get(name)
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def get_json(self, name: str) -> Any:
        value = self.params.get(name)
        if isinstance(value, str):
            # Still a string: the JSON decode in _decode_json_fields failed.
            if name == "reply_markup":
                raise _bad("can't parse reply keyboard markup JSON object")
            raise _bad(f"can't parse {name} JSON object")
        return value


def _decode_json_fields(params: JSON) -> JSON:
    decoded = dict(params)
    for key in _JSON_FIELDS & decoded.keys():
        if isinstance(decoded[key], str):
            # On failure it stays a string; the handler reports Telegram's parse error.
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(decoded[key])
    return decoded


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- server


class FakeTelegram:
    """Fake Telegram Bot API server; use ``async with FakeTelegram() as server``."""

    def __init__(
        self,
        *,
        bot_first_name: str = "Valo",
        bot_username: str = "valo_test_bot",
        require_https_webhook: bool = False,
        webhook_timeout: float = 5.0,
        webhook_retry_delay: float = 0.05,
        callback_query_ttl: float | None = None,
        first_update_id: int = 100_000,
    ) -> None:
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.require_https_webhook = require_https_webhook
        self.webhook_timeout = webhook_timeout
        self.webhook_retry_delay = webhook_retry_delay
        self.callback_query_ttl = callback_query_ttl
        #: Secret sent to explicitly set ``webhook_urls`` when no setWebhook was made.
        self.webhook_secret: str | None = None
        self.tokens: set[str] = set()
        self.call_log: list[CallRecord] = []
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.documents: dict[str, StoredDocument] = {}
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._bot_messages: dict[int, list[BotMessage]] = {}
        self._by_id: dict[tuple[int, int], BotMessage] = {}
        self._user_messages: dict[tuple[int, int], JSON] = {}
        self._deleted_user_messages: set[tuple[int, int]] = set()
        self._next_mid: dict[int, int] = {}
        self._cursor: dict[int, int] = {}
        self._updates: dict[int, UpdateRecord] = {}
        self._pending: list[UpdateRecord] = []
        self._next_update_id = first_update_id
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._query_ids = itertools.count(4_380_000_000_000_000_001)
        self._faults: list[Fault] = []
        self._webhook: _Webhook | None = None
        self._explicit_webhook_urls: list[str] | None = None
        self._last_token = TEST_TOKEN
        # State-change broadcast: the current Event is set and replaced on every
        # change, so waiters never miss a wake-up and never need to sleep.
        self._changed = asyncio.Event()
        #: How many state changes so far: a cheap version for pollers (the demo page).
        self.changes = 0
        self._stopping = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[_Ctx], Awaitable[Any]]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._m_get_me,
                "getUpdates": self._m_get_updates,
                "sendMessage": self._m_send_message,
                "editMessageText": self._m_edit_message_text,
                "editMessageReplyMarkup": self._m_edit_message_reply_markup,
                "answerCallbackQuery": self._m_answer_callback_query,
                "deleteMessage": self._m_delete_message,
                "setMyCommands": self._m_set_my_commands,
                "deleteMyCommands": self._m_delete_my_commands,
                "getMyCommands": self._m_get_my_commands,
                "sendLocation": self._m_send_location,
                "sendVenue": self._m_send_venue,
                "sendDocument": self._m_send_document,
                "sendPhoto": self._m_send_photo,
                "setWebhook": self._m_set_webhook,
                "deleteWebhook": self._m_delete_webhook,
                "getWebhookInfo": self._m_get_webhook_info,
                "leaveChat": self._m_leave_chat,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        # Room for a 50 MB document upload plus form overhead.
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_http)
        # handler_cancellation: when a client (e.g. a killed bot process) goes away,
        # its long-poll or held request is cancelled instead of lingering.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._client = ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        """Stop serving: wake long-polls, drop held requests, close sockets."""
        self._closing = True
        self._stopping.set()
        for fault in self._faults:
            for held in fault.held:
                held.drop()
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (0 before start)."""
        return self._port

    @property
    def base_url(self) -> str:
        """Base URL for ``TelegramAPIServer.from_base``."""
        return f"http://127.0.0.1:{self._port}"

    def bot(self, token: str = TEST_TOKEN, **kwargs: Any) -> Bot:
        """A real aiogram Bot wired to this server; the caller closes its session."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(token, session=session, **kwargs)

    # ------------------------------------------------------------------ notifications

    def _notify(self) -> None:
        self.changes += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def notify(self) -> None:
        """Wake every waiter: something a waiter watches changed outside the emulator (the
        demo page's banner or clock)."""
        self._notify()

    async def wait_change(self, since: int, timeout: float) -> int:
        """Wait until ``changes`` differs from ``since`` or ``timeout`` passes; returns it."""
        if self.changes == since:
            await self._wait_change(timeout)
        return self.changes

    async def _wait_change(self, within: float | None) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), within)

    async def wait_until(
        self,
        condition: Callable[[], T | None],
        timeout: float = 10.0,
        *,
        poll: float | None = None,
        message: str | None = None,
    ) -> T:
        """Re-evaluate ``condition`` on every server state change until it is truthy.

        Returns its truthy value; raises WaitTimeout (an AssertionError and a
        TimeoutError) at the deadline. Pass ``poll``
        only if the condition also depends on state outside the server.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(message or f"condition not met within {timeout}s")
            await self._wait_change(remaining if poll is None else min(poll, remaining))

    async def wait_for(self, target: int | Callable[[], Any], timeout: float = 10.0) -> Any:
        """``wait_message(chat_id)`` for an int, ``wait_until(predicate)`` for a callable."""
        if callable(target):
            return await self.wait_until(target, timeout)
        return await self.wait_message(target, timeout=timeout)

    async def wait_message(
        self, chat_id: int, *, after: int | None = None, timeout: float = 10.0
    ) -> BotMessage:
        """The next bot message to ``chat_id``.

        With ``after=n`` it is ``messages(chat_id)[n]`` (n = a previous
        ``sent_count``); without it, a per-chat cursor advances with every call, so
        consecutive calls return consecutive messages, including ones already sent.
        """
        index = self._cursor.get(chat_id, 0) if after is None else after

        def ready() -> BotMessage | None:
            sent = self._bot_messages.get(chat_id, [])
            return sent[index] if len(sent) > index else None

        message = await self.wait_until(
            ready,
            timeout,
            message=f"no bot message #{index} to chat {chat_id} within {timeout}s "
            f"(have {self.sent_count(chat_id)})",
        )
        self._cursor[chat_id] = index + 1
        return message

    async def wait_confirmed(self, update: int | JSON, timeout: float = 10.0) -> UpdateRecord:
        """Wait until an update is confirmed (later getUpdates offset, or webhook 200)."""
        update_id = update if isinstance(update, int) else int(update["update_id"])
        record = self._updates[update_id]

        def confirmed() -> bool:
            if record.dropped:
                raise AssertionError(f"update {update_id} was dropped, it can never be confirmed")
            return record.confirmed

        await self.wait_until(
            confirmed, timeout, message=f"update {update_id} not confirmed within {timeout}s"
        )
        return record

    async def wait_callback_answer(
        self, query_id: str, timeout: float = 10.0
    ) -> CallbackQueryRecord:
        """Wait until the bot answered the callback query ``query_id``."""
        record = self.callback_queries[query_id]
        return await self.wait_until(
            lambda: record if record.answered else None,
            timeout,
            message=f"callback query {query_id} not answered within {timeout}s",
        )

    async def wait_call(self, method: str, *, count: int = 1, timeout: float = 10.0) -> CallRecord:
        """Wait until ``count`` calls of ``method`` have been answered; return the last."""

        def ready() -> CallRecord | None:
            done = [c for c in self.calls(method) if c.status is not None or c.client_gone]
            return done[count - 1] if len(done) >= count else None

        return await self.wait_until(ready, timeout, message=f"{count}x {method} not seen")

    async def held_event(self, fault: Fault, timeout: float = 10.0) -> HeldRequest:
        """Wait until the request selected by a ``hold`` fault is being held."""
        return await self.wait_until(
            lambda: next((h for h in fault.held if h.holding), None),
            timeout,
            message=f"no request held by {fault.kind} fault within {timeout}s",
        )

    # ------------------------------------------------------------------ observation

    def messages(self, chat_id: int, *, include_deleted: bool = True) -> list[BotMessage]:
        """Bot messages to ``chat_id`` in send order (current state after edits)."""
        sent = self._bot_messages.get(chat_id, [])
        return list(sent) if include_deleted else [m for m in sent if not m.deleted]

    def user_messages(self, chat_id: int) -> list[JSON]:
        """What the user wrote in their private chat (not deleted), oldest first."""
        return [
            copy.deepcopy(message)
            for (chat, message_id), message in sorted(self._user_messages.items())
            if chat == chat_id and (chat, message_id) not in self._deleted_user_messages
        ]

    def sent_count(self, chat_id: int) -> int:
        """How many bot messages were ever stored for ``chat_id`` (deleted included)."""
        return len(self._bot_messages.get(chat_id, []))

    def last_message(self, chat_id: int) -> BotMessage | None:
        """The most recent bot message to ``chat_id``."""
        sent = self._bot_messages.get(chat_id, [])
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> BotMessage:
        """A bot message by id (KeyError if there is none)."""
        return self._by_id[(chat_id, message_id)]

    def calls(self, method: str | None = None) -> list[CallRecord]:
        """The API call log, optionally for one method (case-insensitive)."""
        if method is None:
            return list(self.call_log)
        return [c for c in self.call_log if c.method.lower() == method.lower()]

    def updates(self) -> list[UpdateRecord]:
        """Every enqueued update, oldest first."""
        return list(self._updates.values())

    def pending_updates(self) -> list[UpdateRecord]:
        """Updates neither confirmed nor dropped."""
        return list(self._pending)

    def my_commands(self, language_code: str = "", scope: JSON | None = None) -> list[JSON] | None:
        """Commands set for (scope, language_code); None if never set."""
        return self.commands.get((self._scope_key(scope), language_code))

    def get_user(self, user_id: int) -> SimUser:
        """A registered simulated user (KeyError if unknown)."""
        return self._users[user_id]

    def get_group(self, chat_id: int) -> SimGroup:
        """A registered simulated group or channel (KeyError if unknown)."""
        return self._groups[chat_id]

    def faults_fired(self, kind: str | None = None) -> int:
        """How many calls were failed by injected faults (optionally of one kind)."""
        return sum(f.fired for f in self._faults if kind is None or f.kind == kind)

    @property
    def webhook_urls(self) -> list[str]:
        """Where updates are pushed: the explicit list if set, else setWebhook's URL."""
        if self._explicit_webhook_urls is not None:
            return list(self._explicit_webhook_urls)
        return [self._webhook.url] if self._webhook else []

    @webhook_urls.setter
    def webhook_urls(self, urls: Iterable[str] | None) -> None:
        self._explicit_webhook_urls = None if urls is None else list(urls)
        self._notify()

    # ------------------------------------------------------------------ user simulation

    def user(
        self,
        user_id: int,
        language_code: str | None = "fi",
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
    ) -> SimUser:
        """Register (or update) a simulated user with a private chat."""
        user = self._users.get(user_id)
        if user is None:
            user = SimUser(
                user_id, first_name or f"User{user_id}", language_code, username, last_name
            )
            self._users[user_id] = user
        else:
            user.language_code = language_code
            user.first_name = first_name or user.first_name
            user.username = username or user.username
            user.last_name = last_name or user.last_name
        return user

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        entities: list[JSON] | None = None,
        reply_to: int | None = None,
    ) -> JSON:
        """Enqueue a text message from the user; a leading /command gets its entity."""
        if entities is None:
            command = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?", text)
            entities = (
                [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]
                if command
                else []
            )
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, content, reply_to)

    def send_command(self, user_id: int, command: str, payload: str | None = None) -> JSON:
        """Enqueue ``/command [payload]`` with a bot_command entity at offset 0."""
        command = command if command.startswith("/") else f"/{command}"
        text = f"{command} {payload}" if payload else command
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return self.send_text(user_id, text, entities=[entity])

    def send_sticker(self, user_id: int, emoji: str = "\N{THUMBS UP SIGN}") -> JSON:
        """Enqueue a sticker message from the user."""
        sticker = {
            "file_id": f"CAACAgIAAxkBAAIB{user_id}",
            "file_unique_id": f"AgADsticker{user_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._user_message(user_id, {"sticker": sticker}, None)

    def send_photo(self, user_id: int, caption: str | None = None) -> JSON:
        """Enqueue a photo message (two sizes, optional caption) from the user."""
        sizes = [
            {
                "file_id": f"AgACAgIAAxkBAAIC{user_id}{w}",
                "file_unique_id": f"AQAD{w}{user_id}",
                "width": w,
                "height": w * 3 // 4,
                "file_size": w * 100,
            }
            for w in (90, 1280)
        ]
        content: JSON = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user_id, content, None)

    def press(
        self,
        user_id: int,
        message: BotMessage | int,
        callback_data: str | None = None,
        *,
        button_text: str | None = None,
        forged: bool = False,
        chat_id: int | None = None,
    ) -> JSON:
        """Enqueue a callback_query for a button of a bot message in the user's chat (or in
        the group ``chat_id``).

        The button is chosen by ``callback_data`` or ``button_text``. Unless
        ``forged=True`` the data must be on the message's current keyboard (and the
        message not deleted), which catches tests pressing stale buttons by mistake.
        """
        user = self.user(user_id) if user_id not in self._users else self._users[user_id]
        chat = user if chat_id is None else self._groups[chat_id]
        message_id = message if isinstance(message, int) else message.message_id
        stored = self._by_id.get((chat.chat_id, message_id))
        if button_text is not None:
            if stored is None:
                raise ValueError(f"no bot message {message_id} in chat {chat.chat_id}")
            match = [b for b in stored.buttons if b.get("text") == button_text]
            if not match or "callback_data" not in match[0]:
                raise ValueError(f"no callback button {button_text!r} on message {message_id}")
            callback_data = match[0]["callback_data"]
        if not forged:
            if stored is None or stored.deleted:
                raise ValueError(
                    f"message {message_id} in chat {chat.chat_id} is missing or deleted"
                )
            if callback_data not in stored.callback_data:
                raise ValueError(
                    f"{callback_data!r} is not on message {message_id}: {stored.callback_data}"
                )
        query_id = str(next(self._query_ids))
        query: JSON = {
            "id": query_id,
            "from": user.to_user(),
            "chat_instance": str(-(chat.chat_id * 7919 + 13)),
        }
        if callback_data is not None:
            query["data"] = callback_data
        if stored is not None and not stored.deleted:
            query["message"] = copy.deepcopy(stored.data)
        else:
            # What Telegram sends for a message the bot can no longer access.
            query["message"] = {"chat": chat.to_chat(), "message_id": message_id, "date": 0}
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, chat.chat_id, message_id, callback_data, time.monotonic()
        )
        return self._enqueue("callback_query", query)

    def block(self, user_id: int) -> JSON:
        """The user blocks the bot: sends get 403 and a my_chat_member update is enqueued."""
        user = self._users[user_id]
        user.blocked = True
        return self._member_update(user, "member", "kicked")

    def unblock(self, user_id: int) -> JSON:
        """The user unblocks the bot (my_chat_member kicked -> member)."""
        user = self._users[user_id]
        user.blocked = False
        return self._member_update(user, "kicked", "member")

    # ------------------------------------------------------------------ groups and channels

    def group(
        self,
        chat_id: int,
        title: str | None = None,
        *,
        kind: str = "group",
        bot_status: str = "left",
    ) -> SimGroup:
        """Register (or return) a group, supergroup or channel. ``bot_status="member"`` (or
        ``"administrator"``) has the bot in it from before the test, with no update about it."""
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative in Telegram")
        if kind not in GROUP_KINDS:
            raise ValueError(f"kind must be one of {GROUP_KINDS}")
        group = self._groups.get(chat_id)
        if group is None:
            group = SimGroup(chat_id, title or f"Group {-chat_id}", kind, bot_status)
            self._groups[chat_id] = group
        return group

    def add_bot(self, chat_id: int, by: int) -> list[JSON]:
        """User ``by`` adds the bot: in a group or supergroup, the service message
        ``new_chat_members`` and ``my_chat_member`` (left -> member); in a channel, where a bot
        can only be an administrator, ``my_chat_member`` (left -> administrator)."""
        group = self._groups[chat_id]
        if group.bot_is_member:
            raise ValueError(f"the bot is in chat {chat_id} already")
        adder = self._users.get(by) or self.user(by)
        old = group.bot_status
        group.bot_status = "administrator" if group.kind == "channel" else "member"
        updates = []
        if group.kind != "channel":
            bot = self._bot_user(self._last_token)
            updates.append(self._group_message(group, adder, {"new_chat_members": [bot]}))
        updates.append(self._chat_member_update(group, adder.to_user(), old, group.bot_status))
        return updates

    def remove_bot(self, chat_id: int, by: int, *, status: str = "kicked") -> JSON:
        """User ``by`` removes the bot (``status`` "kicked" bans it, "left" does not)."""
        group = self._groups[chat_id]
        if not group.bot_is_member:
            raise ValueError(f"the bot is not in chat {chat_id}")
        remover = self._users.get(by) or self.user(by)
        old, group.bot_status = group.bot_status, status
        return self._chat_member_update(group, remover.to_user(), old, status)

    def send_group_text(self, chat_id: int, user_id: int, text: str) -> JSON:
        """A message from ``user_id`` in the group; a leading /command gets its entity."""
        command = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?", text)
        content: JSON = {"text": text}
        if command:
            length = utf16_len(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        sender = self._users.get(user_id) or self.user(user_id)
        return self._group_message(self._groups[chat_id], sender, content)

    def send_group_command(self, chat_id: int, user_id: int, command: str) -> JSON:
        """``/command`` from ``user_id`` in the group."""
        command = command if command.startswith("/") else f"/{command}"
        return self.send_group_text(chat_id, user_id, command)

    def join_group(self, chat_id: int, user_id: int) -> JSON:
        """``user_id`` joins the group: the service message ``new_chat_members``."""
        member = self._users.get(user_id) or self.user(user_id)
        content = {"new_chat_members": [member.to_user()]}
        return self._group_message(self._groups[chat_id], member, content)

    def _group_message(self, group: SimGroup, sender: SimUser, content: JSON) -> JSON:
        if group.kind == "channel":
            raise ValueError("members do not write in a channel; its posts are channel_post")
        if not group.bot_is_member:
            raise ValueError(f"the bot is not in chat {group.chat_id}: it would get nothing")
        message: JSON = {
            "message_id": self._alloc_message_id(group.chat_id),
            "from": sender.to_user(),
            "chat": group.to_chat(),
            "date": int(time.time()),
            **content,
        }
        self._user_messages[(group.chat_id, message["message_id"])] = message
        return self._enqueue("message", message)

    def enqueue_raw(self, update: JSON, *, keep_id: bool = False) -> JSON:
        """Enqueue an arbitrary update dict; its update_id is assigned unless ``keep_id``."""
        payload = copy.deepcopy(update)
        kind = next((k for k in payload if k != "update_id"), "unknown")
        if keep_id and "update_id" in payload:
            self._next_update_id = max(self._next_update_id, int(payload["update_id"]) + 1)
            return self._store_update(int(payload["update_id"]), kind, payload)
        payload.pop("update_id", None)
        return self._enqueue(kind, payload.get(kind, {}))

    def _member_update(self, user: SimUser, old: str, new: str) -> JSON:
        return self._chat_member_update(user, user.to_user(), old, new)

    def _chat_member_update(
        self, chat: SimUser | SimGroup, actor: JSON, old: str, new: str
    ) -> JSON:
        """``my_chat_member``: ``actor`` changed the bot's status in ``chat``."""
        bot = self._bot_user(self._last_token)
        channel = isinstance(chat, SimGroup) and chat.kind == "channel"
        return self._enqueue(
            "my_chat_member",
            {
                "chat": chat.to_chat(),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": self._bot_member(bot, old, channel=channel),
                "new_chat_member": self._bot_member(bot, new, channel=channel),
            },
        )

    @staticmethod
    def _bot_member(bot: JSON, status: str, *, channel: bool) -> JSON:
        member: JSON = {"user": bot, "status": status}
        if status == "kicked":
            member["until_date"] = 0
        if status == "administrator":
            member.update(_ADMIN_RIGHTS)
            if channel:
                member["can_post_messages"] = True
        return member

    def _user_message(self, user_id: int, content: JSON, reply_to: int | None) -> JSON:
        user = self._users.get(user_id) or self.user(user_id)
        if user.blocked:
            raise ValueError(f"user {user_id} blocked the bot; call unblock() first")
        user.has_written = True
        message_id = self._alloc_message_id(user_id)
        message: JSON = {
            "message_id": message_id,
            "from": user.to_user(),
            "chat": user.to_chat(),
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            target = self._find_message(user_id, reply_to)
            if target is not None:
                message["reply_to_message"] = target
        self._user_messages[(user_id, message_id)] = message
        return self._enqueue("message", message)

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        update_id = self._next_update_id
        self._next_update_id += 1
        return self._store_update(update_id, kind, {"update_id": update_id, kind: payload})

    def _store_update(self, update_id: int, kind: str, payload: JSON) -> JSON:
        record = UpdateRecord(update_id, kind, payload)
        self._updates[update_id] = record
        self._pending.append(record)
        self._pending.sort(key=lambda r: r.update_id)
        self._notify()
        return payload

    # ------------------------------------------------------------------ fault injection

    def _add_fault(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    @staticmethod
    def _scope_methods(methods: Iterable[str] | str | None) -> frozenset[str] | None:
        if methods is None or methods == "*":
            return None
        names = [methods] if isinstance(methods, str) else list(methods)
        return frozenset(name.lower() for name in names)

    def fail_429(
        self,
        retry_after: int = 1,
        *,
        times: int | None = 1,
        nth: int | None = None,
        chat_id: int | None = None,
        methods: Iterable[str] | str | None = SEND_METHODS,
    ) -> Fault:
        """Answer matching calls with 429 Too Many Requests + retry_after."""
        return self._add_fault(
            Fault(
                "429",
                self._scope_methods(methods),
                chat_id,
                times,
                nth,
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        )

    def fail_5xx(
        self,
        status: int = 500,
        *,
        description: str | None = None,
        times: int | None = 1,
        nth: int | None = None,
        chat_id: int | None = None,
        methods: Iterable[str] | str | None = SEND_METHODS,
    ) -> Fault:
        """Answer matching calls with a server error; nothing is stored."""
        text = description or _SERVER_ERRORS.get(status, "Internal Server Error")
        return self._add_fault(
            Fault("5xx", self._scope_methods(methods), chat_id, times, nth, status, text)
        )

    def fail_403(
        self,
        chat_id: int | None = None,
        *,
        description: str = _BLOCKED,
        times: int | None = None,
        nth: int | None = None,
        methods: Iterable[str] | str | None = SEND_METHODS,
    ) -> Fault:
        """Answer matching calls with 403 (default: forever, 'bot was blocked')."""
        return self._add_fault(
            Fault("403", self._scope_methods(methods), chat_id, times, nth, 403, description)
        )

    def lose_response(
        self,
        *,
        times: int | None = 1,
        nth: int | None = None,
        chat_id: int | None = None,
        methods: Iterable[str] | str | None = SEND_METHODS,
    ) -> Fault:
        """Process (and store) matching calls, then close the connection unanswered."""
        return self._add_fault(Fault("lose", self._scope_methods(methods), chat_id, times, nth))

    def hold(
        self,
        method: str = "sendMessage",
        *,
        nth: int = 1,
        chat_id: int | None = None,
        store: bool = True,
    ) -> Fault:
        """Park the nth matching request until released/dropped (``held_event`` to await).

        ``store=True`` stores the message first (a response lost in flight);
        ``store=False`` parks before processing, so nothing is stored yet.
        """
        return self._add_fault(
            Fault("hold", self._scope_methods(method), chat_id, None, nth, store=store)
        )

    def clear_faults(self) -> None:
        """Deactivate every fault (their counters stay readable)."""
        for fault in self._faults:
            fault.cancel()

    def _pick_fault(self, ctx: _Ctx) -> Fault | None:
        chat_id = self._chat_of(ctx)
        chosen: Fault | None = None
        for fault in self._faults:
            if not fault.matches(ctx.method, chat_id):
                continue
            fault.seen += 1
            # The first due fault wins; later ones still count the call in ``seen``
            # so that nth-based selection stays "the nth matching call".
            if chosen is None and fault.due():
                fault.fired += 1
                chosen = fault
        return chosen

    def _chat_of(self, ctx: _Ctx) -> int | None:
        if ctx.method.lower() == "answercallbackquery":
            query = self.callback_queries.get(ctx.get_str("callback_query_id") or "")
            return query.chat_id if query else None
        return _int_or_none(ctx.params.get("chat_id"))

    # ------------------------------------------------------------------ HTTP plumbing

    async def _read_request(self, request: web.Request) -> tuple[JSON, dict[str, _Upload]]:
        params: JSON = dict(request.query)
        files: dict[str, _Upload] = {}
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON") from None
            if not isinstance(body, dict):
                raise _bad("JSON object expected")
            params.update(body)
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = _Upload(value.filename, value.content_type, data)
                else:
                    params[key] = value
        return params, files

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            params, files = await self._read_request(request)
        except ApiError as exc:
            return web.json_response(exc.envelope(), status=exc.status)
        ctx = _Ctx(token, method, _decode_json_fields(params), files)
        record = self._log_call(ctx, "http")
        fault = self._pick_fault(ctx) if method.lower() in self._handlers else None
        record.fault = fault.kind if fault else None
        held: HeldRequest | None = None
        try:
            if fault is not None and fault.kind in ("429", "5xx", "403"):
                status, body = fault.status, fault.error().envelope()
            else:
                if fault is not None and fault.kind == "hold":
                    held = HeldRequest(method, ctx.params, self._chat_of(ctx), fault.store)
                    fault.held.append(held)
                    if not held.store:
                        await self._park(held)
                status, body = await self._run(ctx)
                if held is not None:
                    held.message = ctx.message
                    if held.store:
                        await self._park(held)
        except asyncio.CancelledError:
            # The client went away (e.g. the bot process was killed mid-request).
            record.client_gone = True
            if held is not None:
                held.client_gone = True
            self._notify()
            raise
        lost = (fault is not None and fault.kind == "lose") or (held is not None and held.dropped)
        self._finish(record, status, body, lost=lost)
        if lost:
            # Close the socket before anything is written: the client sees a
            # disconnect, while the server has already accepted the request.
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=status)
        return web.json_response(body, status=status)

    async def _park(self, held: HeldRequest) -> None:
        held.holding = True
        self._notify()
        await held._gate.wait()
        held.holding = False

    async def _run(self, ctx: _Ctx) -> tuple[int, JSON]:
        handler = self._handlers.get(ctx.method.lower())
        if handler is None:
            return 404, ApiError(404, "Not Found").envelope()
        self.tokens.add(ctx.token)
        self._last_token = ctx.token
        try:
            return 200, {"ok": True, "result": await handler(ctx)}
        except ApiError as exc:
            return exc.status, exc.envelope()

    def _log_call(self, ctx: _Ctx, via: str) -> CallRecord:
        record = CallRecord(
            ctx.method, ctx.params, ctx.token, via, time.monotonic(), files=sorted(ctx.files)
        )
        self.call_log.append(record)
        self._notify()
        return record

    def _finish(self, record: CallRecord, status: int, body: JSON, *, lost: bool = False) -> None:
        record.status = status
        record.description = body.get("description")
        record.result = body.get("result")
        record.response_lost = lost
        self._notify()

    # ------------------------------------------------------------------ shared helpers

    def _bot_user(self, token: str) -> JSON:
        head = token.split(":", 1)[0]
        return {
            "id": int(head) if head.isdigit() else DEFAULT_BOT_ID,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _scope_key(scope: Any) -> str:
        return json.dumps(scope or {"type": "default"}, sort_keys=True)

    def _alloc_message_id(self, chat_id: int) -> int:
        # Private chats share one message_id sequence between user and bot.
        self._next_mid[chat_id] = self._next_mid.get(chat_id, 0) + 1
        return self._next_mid[chat_id]

    def _find_message(self, chat_id: int, message_id: int) -> JSON | None:
        bot_message = self._by_id.get((chat_id, message_id))
        if bot_message is not None and not bot_message.deleted:
            return copy.deepcopy(bot_message.data)
        if (chat_id, message_id) in self._deleted_user_messages:
            return None
        found = self._user_messages.get((chat_id, message_id))
        return copy.deepcopy(found) if found else None

    def _known_chat(self, ctx: _Ctx) -> SimUser | SimGroup:
        raw = ctx.params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat_id = _int_or_none(raw) or 0
        chat = self._users.get(chat_id) or self._groups.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _target_chat(self, ctx: _Ctx) -> SimUser | SimGroup:
        """The chat a send/edit goes to, refusing like Telegram for unreachable chats."""
        user = self._known_chat(ctx)
        if isinstance(user, SimGroup):
            if user.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {user.kind} chat")
            if not user.bot_is_member:
                raise ApiError(403, f"Forbidden: bot is not a member of the {user.kind} chat")
            return user
        if user.blocked:
            raise ApiError(403, _BLOCKED)
        if not user.has_written:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return user

    def _store_message(
        self,
        ctx: _Ctx,
        chat: SimUser | SimGroup,
        content: JSON,
        markup: JSON | None,
        document: StoredDocument | None = None,
    ) -> JSON:
        chat_id = chat.chat_id
        data: JSON = {
            "message_id": self._alloc_message_id(chat_id),
            "from": self._bot_user(ctx.token),
            "chat": chat.to_chat(),
            "date": int(time.time()),
            **content,
        }
        if isinstance(chat, SimGroup) and chat.kind == "channel":
            del data["from"]  # a channel post is signed by the channel
            data["sender_chat"] = chat.to_chat()
        reply = ctx.get_json("reply_parameters")
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        reply_to = reply_to if reply_to is not None else ctx.get_int("reply_to_message_id")
        if reply_to is not None:
            target = self._find_message(chat_id, int(reply_to))
            allow = ctx.get_bool("allow_sending_without_reply") or (
                isinstance(reply, dict) and bool(reply.get("allow_sending_without_reply"))
            )
            if target is None and not allow:
                raise _bad("message to be replied not found")
            if target is not None:
                target.pop("reply_to_message", None)
                data["reply_to_message"] = target
        if ctx.get_bool("protect_content"):
            data["has_protected_content"] = True
        # Telegram echoes only inline keyboards inside the returned Message.
        if markup is not None and "inline_keyboard" in markup:
            data["reply_markup"] = markup
        message = BotMessage(
            chat_id,
            data["message_id"],
            ctx.method,
            data,
            ctx.params,
            markup,
            time.monotonic(),
            document=document,
        )
        self._bot_messages.setdefault(chat_id, []).append(message)
        self._by_id[(chat_id, message.message_id)] = message
        ctx.message = message
        self._notify()
        return copy.deepcopy(data)

    def _editable(self, ctx: _Ctx) -> BotMessage:
        if ctx.params.get("inline_message_id"):
            raise _bad("message to edit not found")  # inline mode is not emulated
        user = self._target_chat(ctx)
        message_id = ctx.get_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = self._by_id.get((user.chat_id, message_id))
        if message is None or message.deleted:
            if (user.chat_id, message_id) in self._user_messages:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        ctx.message = message
        return message

    def _apply_edit(self, message: BotMessage, changes: JSON, markup: JSON | None) -> JSON:
        message.history.append(copy.deepcopy(message.data))
        for key, value in changes.items():
            if value is None:
                message.data.pop(key, None)
            else:
                message.data[key] = value
        if markup is None:
            message.data.pop("reply_markup", None)
        else:
            message.data["reply_markup"] = markup
        message.reply_markup = markup
        message.data["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(message.data)

    # ------------------------------------------------------------------ API methods

    async def _m_get_me(self, ctx: _Ctx) -> JSON:
        return {
            **self._bot_user(ctx.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _deliverable(self, limit: int) -> list[UpdateRecord]:
        allowed = self._allowed_updates
        batch: list[UpdateRecord] = []
        for record in list(self._pending):
            blocked = (
                record.kind in _OPT_IN_UPDATES if allowed is None else record.kind not in allowed
            )
            if blocked:
                # Telegram never stores updates of types the bot did not ask for.
                record.dropped = True
                self._pending.remove(record)
            elif len(batch) < limit:
                batch.append(record)
        return batch

    def _confirm_below(self, offset: int) -> None:
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            for record in self._pending[:offset]:
                record.dropped = True
            self._pending = self._pending[offset:]
        else:
            for record in self._pending:
                if record.update_id < offset:
                    record.confirmed = True
            self._pending = [r for r in self._pending if not r.confirmed]
        self._notify()

    def _drop_pending(self) -> None:
        for record in self._pending:
            record.dropped = True
        self._pending = []
        self._notify()

    def _webhook_active(self) -> bool:
        return self._webhook is not None or bool(self._explicit_webhook_urls)

    async def _m_get_updates(self, ctx: _Ctx) -> list[JSON]:
        if self._webhook_active():
            raise ApiError(409, _WEBHOOK_CONFLICT)
        allowed = ctx.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or None
        offset = ctx.get_int("offset")
        limit = min(max(ctx.get_int("limit") or 100, 1), 100)
        timeout = max(ctx.get_int("timeout") or 0, 0)
        # A newer getUpdates terminates an older one still long-polling (409).
        self._poll_generation += 1
        generation = self._poll_generation
        if offset is not None:
            self._confirm_below(offset)
        else:
            self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _POLL_CONFLICT)
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            await self._wait_change(remaining)
        for record in batch:
            record.deliveries += 1
        return [copy.deepcopy(record.payload) for record in batch]

    async def _m_send_message(self, ctx: _Ctx) -> JSON:
        user = self._target_chat(ctx)
        text, entities = render_text(
            ctx.get_str("text"), ctx.get_str("parse_mode"), ctx.get_json("entities"), caption=False
        )
        markup = check_reply_markup(ctx.get_json("reply_markup"), inline_only=False)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        preview = ctx.get_json("link_preview_options")
        if isinstance(preview, dict) and preview:
            content["link_preview_options"] = preview
        elif ctx.get_bool("disable_web_page_preview"):
            content["link_preview_options"] = {"is_disabled": True}
        return self._store_message(ctx, user, content, markup)

    async def _m_edit_message_text(self, ctx: _Ctx) -> JSON:
        message = self._editable(ctx)
        if "text" not in message.data:
            raise _bad("there is no text in the message to edit")
        text, entities = render_text(
            ctx.get_str("text"), ctx.get_str("parse_mode"), ctx.get_json("entities"), caption=False
        )
        # Omitting reply_markup in an edit removes the inline keyboard, as in Telegram.
        markup = check_reply_markup(ctx.get_json("reply_markup"), inline_only=True)
        if (
            text == message.data["text"]
            and entities == message.data.get("entities", [])
            and markup == message.data.get("reply_markup")
        ):
            raise _bad(_NOT_MODIFIED)
        return self._apply_edit(message, {"text": text, "entities": entities or None}, markup)

    async def _m_edit_message_reply_markup(self, ctx: _Ctx) -> JSON:
        message = self._editable(ctx)
        markup = check_reply_markup(ctx.get_json("reply_markup"), inline_only=True)
        if markup == message.data.get("reply_markup"):
            raise _bad(_NOT_MODIFIED)
        return self._apply_edit(message, {}, markup)

    async def _m_answer_callback_query(self, ctx: _Ctx) -> bool:
        query = self.callback_queries.get(ctx.get_str("callback_query_id") or "")
        expired = (
            query is not None
            and self.callback_query_ttl is not None
            and time.monotonic() - query.created_at > self.callback_query_ttl
        )
        if query is None or query.answered or expired:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = ctx.get_str("text")
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered, query.text, query.url = True, text, ctx.get_str("url")
        query.show_alert = ctx.get_bool("show_alert")
        query.answered_at = time.monotonic()
        self._notify()
        return True

    async def _m_delete_message(self, ctx: _Ctx) -> bool:
        user = self._known_chat(ctx)
        key = (user.chat_id, ctx.get_int("message_id") or 0)
        message = self._by_id.get(key)
        if message is not None and not message.deleted:
            message.deleted = True
        elif key in self._user_messages and key not in self._deleted_user_messages:
            self._deleted_user_messages.add(key)
        else:
            raise _bad("message to delete not found")
        self._notify()
        return True

    def _commands_key(self, ctx: _Ctx) -> tuple[str, str]:
        language = ctx.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        scope = ctx.get_json("scope")
        if scope is not None and not (isinstance(scope, dict) and "type" in scope):
            raise _bad("can't parse BotCommandScope JSON object")
        return self._scope_key(scope), language

    async def _m_set_my_commands(self, ctx: _Ctx) -> bool:
        commands = ctx.get_json("commands")
        if not isinstance(commands, list):
            raise _bad('field "commands" must be an Array')
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(
                r"[a-z0-9_]{1,32}", str(command.get("command", ""))
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(ctx)
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        self._notify()
        return True

    async def _m_delete_my_commands(self, ctx: _Ctx) -> bool:
        self.commands.pop(self._commands_key(ctx), None)
        self._notify()
        return True

    async def _m_get_my_commands(self, ctx: _Ctx) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(ctx), []))

    def _location(self, ctx: _Ctx) -> JSON:
        latitude, longitude = ctx.get_float("latitude"), ctx.get_float("longitude")
        if latitude is None or longitude is None:
            raise _bad("wrong latitude or longitude specified")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _bad("wrong location specified")
        return {"latitude": latitude, "longitude": longitude}

    async def _m_send_location(self, ctx: _Ctx) -> JSON:
        user = self._target_chat(ctx)
        location = self._location(ctx)
        markup = check_reply_markup(ctx.get_json("reply_markup"), inline_only=False)
        return self._store_message(ctx, user, {"location": location}, markup)

    async def _m_send_venue(self, ctx: _Ctx) -> JSON:
        user = self._target_chat(ctx)
        location = self._location(ctx)
        title, address = ctx.get_str("title"), ctx.get_str("address")
        if not title:
            raise _bad("venue title is empty")
        if not address:
            raise _bad("venue address is empty")
        venue: JSON = {"location": location, "title": title, "address": address}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if ctx.get_str(key):
                venue[key] = ctx.get_str(key)
        markup = check_reply_markup(ctx.get_json("reply_markup"), inline_only=False)
        return self._store_message(ctx, user, {"venue": venue, "location": location}, markup)

    async def _m_send_document(self, ctx: _Ctx) -> JSON:
        return self._send_file(ctx, _DOCUMENT)

    async def _m_send_photo(self, ctx: _Ctx) -> JSON:
        """An uploaded PNG or JPEG (kept whole for assertions), or a photo sent before."""
        return self._send_file(ctx, _PHOTO)

    def _send_file(self, ctx: _Ctx, kind: _FileKind) -> JSON:
        """sendDocument and sendPhoto: the file, its caption and keyboard, as one message."""
        user = self._target_chat(ctx)
        stored = self._file(ctx, kind)
        caption, entities = render_text(
            ctx.get_str("caption"),
            ctx.get_str("parse_mode"),
            ctx.get_json("caption_entities"),
            caption=True,
        )
        markup = check_reply_markup(ctx.get_json("reply_markup"), inline_only=False)
        stored.caption = caption or None
        self.documents[stored.file_id] = stored
        content: JSON = {kind.field: kind.describe(stored)}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._store_message(ctx, user, content, markup, stored)

    def _file(self, ctx: _Ctx, kind: _FileKind) -> StoredDocument:
        """The file the call uploads (as a part of its own or ``attach://``), or one sent
        before, by its file id."""
        reference = ctx.get_str(kind.field)
        if reference and reference.startswith("attach://"):
            upload = ctx.files.get(reference.removeprefix("attach://"))
        else:
            upload = ctx.files.get(kind.field)
        if upload is not None:
            mime_type = kind.mime_type(upload)
            if len(upload.data) > kind.max_bytes:
                raise ApiError(413, "Request Entity Too Large")
            unique = kind.unique_prefix + hashlib.sha256(upload.data).hexdigest()[:12]
            return StoredDocument(
                f"{kind.id_prefix}{len(self.documents) + 1}{unique}",
                unique,
                upload.filename,
                mime_type,
                upload.data,
                None,
            )
        if reference in self.documents:
            return copy.copy(self.documents[reference])
        if reference and re.match(r"https?://", reference):
            raise _bad(kind.url_error)  # no network in tests
        raise _bad("wrong file identifier/HTTP URL specified")

    async def _m_leave_chat(self, ctx: _Ctx) -> bool:
        chat = self._known_chat(ctx)
        if isinstance(chat, SimUser):
            raise _bad("chat member status can't be changed in private chats")
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.kind} chat")
        if not chat.bot_is_member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.kind} chat")
        old, chat.bot_status = chat.bot_status, "left"
        # Telegram tells the bot about its own departure too.
        self._chat_member_update(chat, self._bot_user(ctx.token), old, "left")
        return True

    async def _m_set_webhook(self, ctx: _Ctx) -> bool:
        url = ctx.get_str("url") or ""
        if not url:
            return await self._m_delete_webhook(ctx)
        if self.require_https_webhook and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not re.match(r"https?://\S+$", url):
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        secret = ctx.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        allowed = ctx.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or None
        if ctx.get_bool("drop_pending_updates"):
            self._drop_pending()
        self._webhook = _Webhook(url, secret, ctx.get_int("max_connections") or 40, ctx.token)
        self._notify()
        return True

    async def _m_delete_webhook(self, ctx: _Ctx) -> bool:
        self._webhook = None
        if ctx.get_bool("drop_pending_updates"):
            self._drop_pending()
        self._notify()
        return True

    async def _m_get_webhook_info(self, ctx: _Ctx) -> JSON:
        info: JSON = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ------------------------------------------------------------------ webhook delivery

    async def _webhook_loop(self) -> None:
        """Push pending updates to the webhook URL(s), oldest first, one at a time."""
        turn = itertools.count()
        while not self._closing:
            urls = self.webhook_urls
            batch = self._deliverable(1) if urls else []
            if not batch:
                await self._wait_change(None)
                continue
            url = urls[next(turn) % len(urls)]
            if not await self._deliver(url, batch[0]):
                # Telegram backs off before retrying a failing webhook; the wait is a
                # retry delay (cut short by stop()), not a synchronisation sleep.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.webhook_retry_delay)

    async def _deliver(self, url: str, record: UpdateRecord) -> bool:
        assert self._client is not None
        secret = self._webhook.secret_token if self._webhook else self.webhook_secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        record.deliveries += 1
        status: int | None = None
        error: str | None = None
        reply: tuple[str, JSON, dict[str, _Upload]] | None = None
        try:
            async with self._client.post(
                url,
                json=record.payload,
                headers=headers,
                timeout=ClientTimeout(total=self.webhook_timeout),
            ) as response:
                status = response.status
                if status == 200:
                    reply = await self._read_webhook_reply(response)
                else:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except (ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}: {exc}"
        self.webhook_deliveries.append(
            WebhookDelivery(url, record.update_id, status, error, secret, time.monotonic())
        )
        if error is not None:
            if self._webhook is not None:
                self._webhook.last_error_date = int(time.time())
                self._webhook.last_error_message = error
            self._notify()
            return False
        record.confirmed = True
        if record in self._pending:
            self._pending.remove(record)
        self._notify()
        if reply is not None:
            # Telegram executes a method returned in the webhook response body.
            method, params, files = reply
            ctx = _Ctx(
                self._webhook.token if self._webhook else self._last_token,
                method,
                _decode_json_fields(params),
                files,
            )
            call = self._log_call(ctx, "webhook_reply")
            self._finish(call, *await self._run(ctx))
        return True

    @staticmethod
    async def _read_webhook_reply(
        response: ClientResponse,
    ) -> tuple[str, JSON, dict[str, _Upload]] | None:
        params: JSON = {}
        files: dict[str, _Upload] = {}
        try:
            if response.content_type == "application/json":
                body = await response.json()
                params = dict(body) if isinstance(body, dict) else {}
            elif response.content_type == "multipart/form-data":
                reader = MultipartReader(response.headers, response.content)
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    if part.filename:
                        content_type = part.headers.get("Content-Type", "application/octet-stream")
                        files[part.name] = _Upload(part.filename, content_type, await part.read())
                    else:
                        params[part.name] = await part.text()
        except (ValueError, ClientError):
            return None  # an unreadable body is ignored, the update still counts delivered
        method = params.pop("method", None)
        return (method, params, files) if isinstance(method, str) else None
