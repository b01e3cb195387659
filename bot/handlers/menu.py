"""The main menu, /menu, /help and the "Need help now?" screen."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Translator

router = Router(name="menu")

# The command list everyone sees (bot.app sets it per language); a professional's own chat
# gets /guide besides (bot.handlers.guide.show_guide_command).
COMMANDS = (
    "start",
    "find",
    "services",
    "events",
    "reminders",
    "news",
    "menu",
    "help",
    "language",
    "privacy",
    "mydata",
    "delete",
)


class MenuAction(CallbackData, prefix="m"):
    """A main-menu button: ``m:<action>``."""

    action: str


def column(*buttons: tuple[str, CallbackData]) -> InlineKeyboardMarkup:
    """An inline keyboard with one button per row: big targets on a small phone."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack())] for text, data in buttons
        ]
    )


def main_menu(t: Translator) -> InlineKeyboardMarkup:
    """The main menu; features add their buttons here as they are built."""
    return column(
        (t("menu-find"), MenuAction(action="find")),
        (t("menu-services"), MenuAction(action="services")),
        (t("menu-events"), MenuAction(action="events")),
        (t("menu-reminders"), MenuAction(action="reminders")),
        (t("menu-news"), MenuAction(action="news")),
        (t("menu-language"), MenuAction(action="language")),
        (t("menu-privacy"), MenuAction(action="privacy")),
        (t("menu-help-now"), MenuAction(action="help-now")),
    )


def back_to_menu(t: Translator) -> InlineKeyboardMarkup:
    return column((t("menu-back"), MenuAction(action="menu")))


async def reply(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Acknowledge a button press and answer with a new message in the same chat.

    Works for presses on messages too old for Telegram to include (``InaccessibleMessage``).
    """
    await query.answer()
    chat_id = query.message.chat.id if query.message else query.from_user.id
    assert query.bot is not None
    await query.bot.send_message(chat_id, text, reply_markup=markup)


async def edit_or_send(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup, *, html: bool = False
) -> None:
    """Replace the pressed message (less clutter on a small screen); send anew if we cannot."""
    await query.answer()
    mode = ParseMode.HTML if html else None
    if isinstance(query.message, Message) and query.message.text is not None:
        try:
            await query.message.edit_text(text, parse_mode=mode, reply_markup=markup)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
        return
    assert query.bot is not None
    await query.bot.send_message(query.from_user.id, text, parse_mode=mode, reply_markup=markup)


@router.message(Command("menu"))
async def show_menu(message: Message, t: Translator) -> None:
    await message.answer(t("menu-title"), reply_markup=main_menu(t))


@router.message(Command("help"))
async def show_help(message: Message, t: Translator) -> None:
    await message.answer(t("help-text"), reply_markup=main_menu(t))


@router.callback_query(MenuAction.filter(F.action == "menu"))
async def menu_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("menu-title"), main_menu(t))


@router.callback_query(MenuAction.filter(F.action == "help-now"))
async def help_now_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("help-now"), back_to_menu(t))
