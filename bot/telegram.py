"""Telegram channel: python-telegram-bot 22 handlers and their wiring (`build_application`).

Each handler's docstring says what the user sees. Rasa answers become HTML-escaped messages below
Telegram's 4,096-character limit; Rasa buttons become inline keyboards.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram import Message as TgMessage
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import delivery
from bot import text as texts
from bot.gateway import Gateway, Turn, ref
from bot.rasa_client import Button
from bot.store import Message
from bot.telegram_limits import ChatRateLimiter, PerChatUpdateProcessor
from placement.alerts import consent
from placement.db import session_scope
from settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
PRIVATE = filters.ChatType.PRIVATE


def _gateway(context: ContextTypes.DEFAULT_TYPE) -> Gateway:
    return context.application.bot_data["gateway"]


def _ids(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Gateway, str, int]:
    gateway = _gateway(context)
    chat_id = update.effective_chat.id
    return gateway, gateway.telegram_conversation_id(chat_id), chat_id


async def _callback_data(gateway: Gateway, conversation_id: str, payload: str, can_store: bool) -> str | None:
    """A payload that fits goes as is ("p:"); a longer one is stored under a short key ("k:")."""
    direct = "p:" + payload
    if len(direct.encode()) <= CALLBACK_LIMIT:
        return direct
    if not can_store:
        return None
    return "k:" + await asyncio.to_thread(gateway.store.save_payload, conversation_id, payload)


async def keyboard(gateway: Gateway, conversation_id: str, buttons: tuple[Button, ...] | list[Button],
                   can_store: bool = True) -> InlineKeyboardMarkup | None:
    rows = []
    for button in buttons:
        data = await _callback_data(gateway, conversation_id, button.payload, can_store)
        if data is not None:
            rows.append([InlineKeyboardButton(button.title[:64], callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None


async def send(bot: Bot, gateway: Gateway, conversation_id: str, chat_id: int, replies: list, can_store: bool = True) -> None:
    """Send replies in order; long texts are split, the keyboard goes with the last part."""
    for reply in replies:
        prefix = "<b>Medewerker:</b> " if isinstance(reply, Message) and reply.author == "staff" else ""
        markup = await keyboard(gateway, conversation_id, reply.buttons, can_store) if reply.buttons else None
        parts = texts.split(reply.text or texts.BUTTONS_ONLY)
        for number, part in enumerate(parts, start=1):
            await bot.send_message(chat_id, prefix + html.escape(part, quote=False),
                                   reply_markup=markup if number == len(parts) else None)
            prefix = ""


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Stored answers that Telegram refuses are marked failed and retried (bot/delivery.py)."""
    gateway, conversation_id, chat_id = _ids(update, context)
    if not turn.deleted:
        await delivery.send_stored(send, context.bot, gateway, conversation_id, chat_id, list(turn.replies))
        return
    try:  # after an erasure nothing is stored, so there is nothing to retry either
        await send(context.bot, gateway, conversation_id, chat_id, turn.replies, can_store=False)
    except TelegramError as exc:
        log.warning("answer to %s not delivered: %s", ref(conversation_id), type(exc).__name__)


async def _rasa_turn(update: Update, context: ContextTypes.DEFAULT_TYPE, shown: str, message: str | None = None) -> None:
    gateway, conversation_id, chat_id = _ids(update, context)
    if not gateway.limits.allow(conversation_id):
        await _local(update, context, shown, texts.SLOW_DOWN)  # stored for staff, answered without Rasa
        return
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    turn = await gateway.turn(conversation_id, "telegram", shown, message, address=str(chat_id),
                              external_id=str(update.update_id))
    await _answer(update, context, turn)


async def _local(update: Update, context: ContextTypes.DEFAULT_TYPE, shown: str, answer: str) -> None:
    gateway, conversation_id, chat_id = _ids(update, context)
    turn = await gateway.local_turn(conversation_id, "telegram", shown, answer, address=str(chat_id),
                                    external_id=str(update.update_id))
    await _answer(update, context, turn)


async def once(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nothing: an update Telegram delivers a second time is answered only once."""
    if not await asyncio.to_thread(_gateway(context).store.claim_update, update.update_id):
        log.info("duplicate update %s ignored", update.update_id)
        raise ApplicationHandlerStop


async def handled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nothing: runs after the answering handler finished, and only then marks the update done."""
    await asyncio.to_thread(_gateway(context).store.finish_update, update.update_id)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The greeting with the privacy notice and the choice: employer or job seeker."""
    await _rasa_turn(update, context, "/start", "/greet")


ALERTS_STOPPED = "U krijgt ook geen berichten meer over nieuw werk of nieuwe kandidaten."


def _stop_alerts(gateway: Gateway, conversation_id: str) -> int:
    """Issue 16: /stop ends the match alerts of this chat too (0 when there were none)."""
    try:
        with session_scope(gateway.store.engine) as session:
            return consent.stop_all(session, conversation_id)
    except SQLAlchemyError as exc:
        log.warning("alerts of %s not stopped: %s", ref(conversation_id), type(exc).__name__)
        return 0


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirmation that the conversation stopped, and how to start again or erase the data; when
    the chat had match alerts, that those stopped too."""
    gateway, conversation_id, chat_id = _ids(update, context)
    alerts = await asyncio.to_thread(_stop_alerts, gateway, conversation_id)
    turn = await gateway.stop(conversation_id, "telegram", address=str(chat_id))
    if alerts:
        turn.replies.append(await gateway.deliver(conversation_id, ALERTS_STOPPED, None))
    await _answer(update, context, turn)


async def erase(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The assistant's question whether all data should really be erased."""
    await _rasa_turn(update, context, "/verwijder", "/request_data_deletion")


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The assistant's answer to a typed message (or why it cannot be sent)."""
    body, problem = texts.check(update.effective_message.text or "", _gateway(context).settings)
    if problem:
        await update.effective_message.reply_text(html.escape(problem, quote=False))
        return
    await _rasa_turn(update, context, body)


def _title(message: TgMessage | None, data: str) -> str | None:
    markup = getattr(message, "reply_markup", None)
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def button_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The assistant's answer to the pressed button; the old message loses its buttons."""
    query = update.callback_query
    gateway, conversation_id, chat_id = _ids(update, context)
    with contextlib.suppress(TelegramError):
        await query.answer()
    data = query.data or ""
    payload = None
    if data.startswith("p:"):  # only a payload this bot sent in this chat: a client can forge callback data
        issued = await asyncio.to_thread(gateway.store.issued_payloads, conversation_id)
        payload = data[2:] if data[2:] in issued else None
    elif data.startswith("k:"):
        payload = await asyncio.to_thread(gateway.store.load_payload, conversation_id, data[2:])
    if not payload:
        await context.bot.send_message(chat_id, html.escape(texts.STALE_BUTTON, quote=False))
        return
    title = _title(query.message, data)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
    await _rasa_turn(update, context, texts.clean(title or payload), payload)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A polite note that the assistant only reads text (per kind: photo, voice, location ...)."""
    message = update.effective_message
    kind = next((k for k in ("photo", "voice", "audio", "video", "sticker", "location", "contact", "document")
                 if getattr(message, k, None)), "other")
    if message.video_note or message.animation:
        kind = "video"
    await _local(update, context, f"[{kind}]", texts.NOT_TEXT[kind])


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A note that changed messages are not read again: please send the question anew."""
    await _local(update, context, "[bericht aangepast]", texts.EDITED)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Which commands exist; otherwise just type the question."""
    await _local(update, context, texts.clean(update.effective_message.text or "")[:200], texts.UNKNOWN_COMMAND)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The fallback message, when anything else went wrong while answering."""
    log.error("telegram update failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        with contextlib.suppress(TelegramError):
            fallback = html.escape(texts.fallback(_gateway(context).settings), quote=False)
            await context.bot.send_message(update.effective_chat.id, fallback)


def build_application(settings: Settings, gateway: Gateway, webhook: bool) -> Application:
    """The bot with its handlers; `webhook` leaves out the poller (updates come from our route)."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(ChatRateLimiter())
        .concurrent_updates(PerChatUpdateProcessor(256))
        .connect_timeout(5).read_timeout(10).write_timeout(10).pool_timeout(10)
        .get_updates_read_timeout(20)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["gateway"] = gateway
    messages = filters.UpdateType.MESSAGE & PRIVATE
    application.add_handler(TypeHandler(Update, once), group=-1)
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & PRIVATE, edited))
    application.add_handler(CommandHandler("start", start, messages))
    application.add_handler(CommandHandler("stop", stop, messages))
    application.add_handler(CommandHandler("verwijder", erase, messages))
    application.add_handler(MessageHandler(messages & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(messages & filters.TEXT, text_message))
    application.add_handler(CallbackQueryHandler(button_press))
    application.add_handler(MessageHandler(messages & ~filters.TEXT, not_text))
    application.add_handler(TypeHandler(Update, handled), group=1)
    application.add_error_handler(on_error)
    return application
