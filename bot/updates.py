"""Malformed updates: never let one poison the update stream, and answer the family anyway.

aiogram validates a whole ``getUpdates`` batch at once, so one update that does not match the
schema would make polling fail and retry forever, silencing the bot for everyone. Each update is
checked on its own; a broken one is replaced by a content-free message from the same chat (when
a chat can be found), which the fallback handler answers kindly in the user's language.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import EditMessageText, GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardMarkup, Update
from aiohttp import BytesPayload
from pydantic import ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

_EVENT_KINDS = ("message", "edited_message", "callback_query", "my_chat_member")


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_update(raw: Any, bot: Bot) -> Update | None:
    """The Update in ``raw`` (validated once), a stand-in when it is malformed, None if hopeless."""
    if isinstance(raw, dict):
        try:
            return Update.model_validate(raw, context={"bot": bot})
        except ValidationError:
            pass  # repair_update says what is wrong
    repaired = repair_update(raw)
    return None if repaired is None else Update.model_validate(repaired, context={"bot": bot})


def repair_update(raw: Any) -> dict[str, Any] | None:
    """``raw`` if it is a valid Update; else a minimal stand-in; None when hopeless."""
    if not isinstance(raw, dict) or _as_int(raw.get("update_id")) is None:
        log.warning("dropped an update without an update_id")
        return None
    try:
        Update.model_validate(raw)
        return raw
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        log.warning("malformed update %s (%s)", raw["update_id"], ", ".join(fields[:5]))
    for kind in _EVENT_KINDS:
        body = raw.get(kind)
        if not isinstance(body, dict):
            continue
        sender: dict[str, Any] = body["from"] if isinstance(body.get("from"), dict) else {}
        chat = body.get("chat") or (body.get("message") or {}).get("chat") or {}
        chat_id = _as_int(chat.get("id") if isinstance(chat, dict) else None)
        user_id = _as_int(sender.get("id"))
        chat_id = chat_id if chat_id is not None else user_id
        if chat_id is None:
            continue
        message: dict[str, Any] = {
            "message_id": _as_int(body.get("message_id")) or 0,
            "date": 0,
            "chat": {"id": chat_id, "type": "private"},
        }
        if user_id is not None:
            language = sender.get("language_code")
            message["from"] = {
                "id": user_id,
                "is_bot": False,
                "first_name": "-",  # required by the schema; never stored
                **({"language_code": language} if isinstance(language, str) else {}),
            }
        return {"update_id": raw["update_id"], "message": message}
    return {"update_id": raw["update_id"]}


# aiogram parses every answer with ``Response[method.__returning__]``. pydantic caches such
# generic models only weakly, and a model class lives in reference cycles, so each time the
# garbage collector frees one, the next answer builds it again, schema and all (milliseconds
# for ``Response[Message]``; a fifth of a bulk send's CPU). Holding them here keeps one each.
_RESPONSE_TYPES: dict[Any, Any] = {}


class EditTextUnread(EditMessageText):
    """``editMessageText`` for the dialog's hot path: its keyboard is given as Telegram's
    JSON, and its answer is not read back.

    aiogram would build and validate a model per button (~4 us each) only to dump them again,
    and parse Telegram's answer into a ``Message`` with every button, bound to the bot
    (~60 us for a question with ten), thrown away. Here the keyboard goes out as given and
    the answer stays the JSON it came as (``True`` for an inline message, the message
    otherwise); errors are raised as for any method.
    """

    __returning__ = bool | dict[str, Any]

    reply_markup: dict[str, Any] | None = None  # type: ignore[assignment]


_MARKUP = {"reply_markup"}


class RepairingSession(AiohttpSession):
    """aiogram's HTTP session, with a ``getUpdates`` batch that fails validation repaired
    update by update (a valid batch is validated once, as aiogram does)."""

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> Any:
        """A call without files as one JSON body (Telegram takes both): aiogram's form costs a
        JSON string per nested field, then URL-encoding of the whole."""
        files: dict[str, Any] = {}
        body = {}
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            # Buttons hold no files, defaults or dates: pydantic's own dump is the JSON that
            # aiogram's preparation, key by key in Python, would make (6 us instead of 34 for
            # ten buttons).
            markup = markup.model_dump(exclude_none=True)
        elif not isinstance(markup, dict):  # other keyboards: prepared as aiogram does
            markup = None
        exclude = _MARKUP if markup is not None else None
        for key, value in method.model_dump(warnings=False, exclude=exclude).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":  # what the form leaves out
                body[key] = prepared
        if markup is not None:
            body["reply_markup"] = markup
        if files:
            return super().build_form_data(bot, method)
        return BytesPayload(self.json_dumps(body).encode(), content_type="application/json")

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        batch = isinstance(method, GetUpdates)  # (not inline: it would narrow `method` below)
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError:
            if not batch:
                raise
        # Some update of the batch is malformed: repair them one by one.
        content = _repaired_batch(content)
        return super().check_response(bot, method, status_code, content)


def _repaired_batch(content: str) -> str:
    try:
        payload = json.loads(content)
    except ValueError:
        return content  # not JSON: aiogram's own error stands
    if isinstance(payload, dict) and isinstance(payload.get("result"), list):
        repaired = [repair_update(raw) for raw in payload["result"]]
        payload["result"] = [u for u in repaired if u is not None]
        return json.dumps(payload)
    return content
