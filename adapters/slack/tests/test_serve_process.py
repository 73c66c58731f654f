"""`restansebot serve` as a process with Slack against the fake Web API: signed requests Bolt cannot read are
refused with one log line each and no traceback, a question is echoed escaped, and Slackbot gets no answer."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from adapters.slack.tests.fakes import FakeSlack, direct_message, signed_headers
from adapters.slack.tests.harness import KARI, slack_env
from adapters.slack.tests.test_bad_input import SECRET, live_markup
from tests.serving import serving
from tests.test_delivery_processes import Running


def post(url: str, body: str, content_type: str = "application/json") -> int:
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers=signed_headers(body, content_type=content_type))  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def posts(fake: FakeSlack, n: int) -> list:
    deadline = time.monotonic() + 30
    while len(fake.calls_to("chat.postMessage")) < n:
        assert time.monotonic() < deadline, [c.method for c in fake.calls]
        time.sleep(0.02)
    return fake.calls_to("chat.postMessage")


def test_the_served_slack_endpoint_refuses_bad_requests_cleanly_and_echoes_nothing_live(
    db_url: str, tmp_path: Path
) -> None:
    with Running(FakeSlack()) as fake:
        fake.add_user(KARI[0], KARI[1])
        fake.add_user("USLACKBOT", KARI[1])  # even if Slack said Slackbot were Kari, it would not be answered
        with serving(db_url, tmp_path, slack_env(fake)) as server:
            endpoint = server.url + "/slack/events"
            assert post(endpoint, f"not json {SECRET}") == 400
            assert post(endpoint, "payload=" + quote('{"type": "block_actions", "user'),
                        "application/x-www-form-urlencoded") == 400  # fmt: skip
            assert (
                post(endpoint, json.dumps(direct_message("USLACKBOT", "You have been removed from #lma")))
                == 200
            )
            assert post(endpoint, json.dumps(direct_message(KARI[0], "<!channel> hva er dette"))) == 200
            [answer] = posts(fake, 1)
            time.sleep(0.2)  # (time for a wrong answer to Slackbot to show)
        log = server.log
    assert answer["channel"] == "D" + KARI[0] and live_markup(answer.params) == []
    assert "&lt;!channel&gt;" in answer["text"]
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert "Traceback" not in log and SECRET not in log
    refusals = [line for line in log.splitlines() if "Slack: avviste" in line]
    assert len(refusals) == 2, log
