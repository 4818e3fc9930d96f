"""Telegram /stop stops match alerts too and says so (issue 16); the fake Bot API over HTTP, both engines."""

from __future__ import annotations

from sqlalchemy import select

from bot import text as texts
from bot.telegram import ALERTS_STOPPED
from placement.alerts import consent
from placement.alerts.models import AlertSubscription
from placement.db import session_scope
from tests.test_gateway_telegram import telegram_stack, tracker  # noqa: F401 (module fixture)


async def test_stop_command_stops_alerts_and_tells_the_user(engine, tracker):  # noqa: F811
    async with telegram_stack(engine, tracker) as s:
        conversation = s.gateway.telegram_conversation_id(s.chat)
        with session_scope(engine) as session:
            consent.subscribe(session, conversation_id=conversation, channel="telegram", kind="werkzoekende",
                              isco_code="9112", gemeente_code="GM0193")
        await s.tg.push(s.tg.text(s.chat, "/stop"))
        stopped, alerts = (await s.tg.wait_sent(2, s.chat))[:2]
        assert stopped.params["text"] == texts.STOPPED and alerts.params["text"] == ALERTS_STOPPED
        with session_scope(engine) as session:
            assert [r.status for r in session.scalars(select(AlertSubscription).where(
                AlertSubscription.conversation_id == conversation))] == ["gestopt"]

        await s.tg.push(s.tg.text(s.chat, "/stop"), s.tg.text(s.chat, "/onbekend"))  # nothing left to stop
        again, unknown = (await s.tg.wait_sent(4, s.chat))[2:4]
        assert again.params["text"] == texts.STOPPED and unknown.params["text"] == texts.UNKNOWN_COMMAND
