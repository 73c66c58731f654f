"""Conversation references as several replicas see them, and what is written when."""

from __future__ import annotations

from microsoft_agents.activity import Activity

from adapters.teams.references import RELOAD_AFTER, References
from adapters.teams.tests.conftest import KARI
from adapters.teams.tests.fakes import activity
from bot.identities import ConversationStore

SERVICE = "https://smba.trafficmanager.net/emea/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def incoming(**kwargs) -> Activity:
    return Activity.model_validate(activity("status", service_url=SERVICE, **kwargs))


def test_a_person_who_installed_the_app_on_another_replica_is_found_on_this_one(engine):
    clock = Clock()
    sending_replica = References(ConversationStore(engine, "teams"), clock)
    assert sending_replica.for_email(KARI[1]) is None  # its copy is loaded, and Kari is not in it yet
    answering_replica = References(ConversationStore(engine, "teams"))
    answering_replica.remember(incoming(user=KARI[0]))
    answering_replica.set_email(KARI[0], KARI[1])
    assert sending_replica.for_email(KARI[1]) is None  # a miss right after loading does not read again ...
    clock.now += RELOAD_AFTER + 1
    found = sending_replica.for_email(KARI[1])  # ... a later one does
    assert found is not None and found.conversation_id == "a:kari" and found.service_url == SERVICE


def test_a_person_first_seen_in_a_channel_has_no_1to1_yet_but_can_be_reached(engine):
    refs = References(ConversationStore(engine, "teams"))
    refs.remember(incoming(user=KARI[0], kind="channel", conversation="19:c@thread.tacv2;messageid=1",
                           team="19:t@thread.tacv2", channel="19:c@thread.tacv2"))  # fmt: skip
    kari = refs.user(KARI[0])
    assert kari is not None and kari.conversation_id is None and kari.installed and kari.tenant_id
    assert refs.channel("19:c@thread.tacv2") is not None and refs.channel("19:t@thread.tacv2") is not None


def test_a_new_message_id_is_not_a_change(engine):
    store = ConversationStore(engine, "teams")
    refs = References(store)

    def stored() -> dict:
        return {key: store.get(key) for key in store.keys()}  # noqa: SIM118

    refs.remember(incoming(user=KARI[0], activity_id="msg-first"))
    before = stored()
    refs.remember(incoming(user=KARI[0], activity_id="msg-second"))
    assert stored() == before and "msg-first" not in str(before)
