"""`restansebot serve` as a process, Teams in anonymous mode against the fake connector: bad requests are
refused with one log line each and no traceback, and a documented channel activity keeps titles private."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from adapters.teams.tests import recorded
from adapters.teams.tests.conftest import ANONYMOUS, KARI
from adapters.teams.tests.fakes import FakeConnector, activity
from adapters.teams.tests.test_bad_input import SECRET, unsigned_token
from adapters.teams.tests.test_privacy import leaks, sensitive_strings
from restanse_core.store import make_engine
from tests.serving import serving
from tests.test_delivery_processes import Running


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_served_teams_endpoint_refuses_bad_requests_cleanly_and_keeps_channels_private(
    db_url: str, tmp_path: Path
):
    with Running(FakeConnector()) as connector:
        connector.member(KARI[0], KARI[1], name="Kari Aune Brattås")
        with serving(db_url, tmp_path, ANONYMOUS) as server:
            endpoint = server.url + "/api/messages"
            without_reply_address = activity(SECRET, service_url=connector.url)
            del without_reply_address["serviceUrl"]
            assert post(endpoint, b"[]") == 400
            assert post(endpoint, without_reply_address) == 400
            token = {"Authorization": "Bearer " + unsigned_token(connector.url)}
            assert post(endpoint, activity("mine restanser", service_url=connector.url), token) == 401
            channel = recorded.load("message_channel_mention_legacy.json", service_url=connector.url,
                                    text="mine restanser", from_id=KARI[0])  # fmt: skip
            assert post(endpoint, channel) == 202
        log = server.log
    where = recorded.conversation_id(channel)
    in_channel = connector.sent_to(where)
    assert len(in_channel) == 1 and "sendt deg svaret privat" in in_channel[0].text
    engine = make_engine(db_url)
    try:
        assert leaks(in_channel, sensitive_strings(engine, initials="KAB")) == set()
    finally:
        engine.dispose()
    assert any("Dine restanser" in c.text for c in connector.activities if c.conversation != where)
    assert "Traceback" not in log and SECRET not in log
    refusals = [line for line in log.splitlines() if "Teams: avviste" in line]
    assert len(refusals) == 3, log
