"""Every recorded activity (Microsoft's documentation and SDK test suites, see payloads/SOURCES.md) replayed
through the real server: no 5xx, no traceback, references kept, and nothing private said where others read.

Each sender is made a saksbehandler with restanser (Kari) at the fake connector, so that a leak would show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from adapters.teams.tests import recorded
from adapters.teams.tests.conftest import KARI, Server
from adapters.teams.tests.fakes import FakeConnector
from adapters.teams.tests.test_privacy import leaks, sensitive_strings


@dataclass(frozen=True)
class Expect:
    private: bool  # a 1:1 chat: nobody else reads along
    answered: bool  # the bot says something back
    stores: tuple[str, ...] = ()  # conversation references kept afterwards


EXPECT = {
    "conversation_update_bot_added_personal.json": Expect(True, False, ("user:29:<USERID>",)),
    "conversation_update_bot_added_to_team.json": Expect(
        False, False, ("team:19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2",)
    ),
    "conversation_update_channel_created.json": Expect(
        False, False, ("team:19:efa9296d959346209fea44151c742e73@thread.skype",)
    ),
    "conversation_update_meeting_member_added.json": Expect(
        False, False, ("group:19:meeting_MWJlNGViOTgtMGExYi00NDA3LWExODgtOTZhMWNlYjM4ZTRj@thread.v2",)
    ),
    "conversation_update_member_removed.json": Expect(
        False, False, ("team:19:efa9296d959346209fea44151c742e73@thread.skype",)
    ),
    "conversation_update_members_added_personal.json": Expect(True, False, ("user:user-id-0",)),
    "conversation_update_team_renamed.json": Expect(
        False, False, ("team:19:efa9296d959346209fea44151c742e73@thread.skype",)
    ),
    "installation_update_add_in_team.json": Expect(
        False, True, ("team:19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2",)
    ),
    "invoke_action_execute.json": Expect(True, False, ("user:user1",)),
    "invoke_channel_legacy.json": Expect(
        False, False, ("channel:19:dc5ba12695be4eb7bf457cad6b4709eb@thread.skype",)
    ),
    "invoke_file_consent_accept.json": Expect(True, False),
    "message_action_submit.json": Expect(True, False, ("user:from29ed",)),
    "message_back_channel_legacy.json": Expect(
        False,
        True,
        ("channel:19:malejcou081i20ojmlcau0@thread.skype", "team:19:12d021jdoijsaeoaue0u@thread.skype"),
    ),
    "message_channel_mention_legacy.json": Expect(
        False, True, ("channel:19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype",)
    ),
    "message_action_submit_with_input.json": Expect(
        True, True, ("user:from29ed",)
    ),  # answered in place (PUT)
    "message_delete_soft.json": Expect(True, False),
    "message_expect_replies_poem.json": Expect(True, True, ("user:user-id-0",)),
    "message_expect_replies_testing_tool.json": Expect(True, True, ("user:user-id-0",)),
    # Kari (a saksbehandler) uploads a file: a friendly refusal, and the file is never fetched.
    "message_file_download_info_personal.json": Expect(True, True),
    "message_from_bot_notification.json": Expect(True, False),
    "message_personal.json": Expect(True, True),
    "message_reaction_channel.json": Expect(
        False, False, ("channel:19:3629591d4b774aa08cb0887902eee7c1@thread.skype",)
    ),
    "message_reaction_personal.json": Expect(True, False),
    "message_update_edit.json": Expect(True, False),
}


def test_every_recorded_payload_has_an_expectation():
    assert sorted(EXPECT) == recorded.names()


def stored_keys(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT key FROM conversations WHERE platform = 'teams'")).scalars())


@pytest.mark.parametrize("name", recorded.names())
async def test_a_recorded_activity_is_handled_without_a_crash_or_a_leak(
    name: str, server: Server, connector: FakeConnector, engine, caplog: pytest.LogCaptureFixture
):
    expect = EXPECT[name]
    body = recorded.load(name, service_url=connector.url)
    connector.member(body["from"]["id"], KARI[1], name="Kari Aune Brattås")
    caplog.set_level(logging.INFO)
    async with server.session.post(server.url + "/api/messages", json=body) as response:
        status = response.status
        reply = await response.json() if response.content_type == "application/json" else None
    assert status < 500, status
    assert recorded.problems(caplog.records) == []
    in_body = (reply or {}).get("activities") or [] if isinstance(reply, dict) else []
    said = [  # new messages, and cards replaced in place
        c
        for c in [*connector.activities, *connector.updates()]
        if c.conversation == recorded.conversation_id(body)
    ]
    assert bool(said or in_body) == expect.answered, (said, reply)
    if not expect.private:
        assert leaks(said, sensitive_strings(engine, initials="KAB")) == set()
    assert set(expect.stores) <= stored_keys(engine)


async def test_a_dialogue_step_replaces_the_card_it_was_pressed_on(server: Server, connector: FakeConnector):
    body = recorded.load("message_action_submit_with_input.json", service_url=connector.url)
    connector.member(body["from"]["id"], KARI[1], name="Kari Aune Brattås")
    async with server.session.post(server.url + "/api/messages", json=body) as response:
        assert response.status < 500
    [update] = connector.updates()
    assert update.path.endswith("/activities/activity123") and "arkivsystemet" in update.text
    assert [c for c in connector.activities if c.conversation == recorded.conversation_id(body)] == []
