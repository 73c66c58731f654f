"""E-mail settings from the environment: each mistake named by its variable, secrets never shown."""

from __future__ import annotations

import pytest

from adapters.epost.config import configured, load_config
from restanse_core.errors import UserError

SMTP = {
    "RESTANSEBOT_EMAIL_TRANSPORT": "smtp",
    "RESTANSEBOT_EMAIL_FROM": "Arkivet <Arkiv@K.no>",
    "RESTANSEBOT_SMTP_HOST": "smtp.k.no",
    "RESTANSEBOT_SMTP_USERNAME": "bot@k.no",
    "RESTANSEBOT_SMTP_PASSWORD": "s3cret",
}
GRAPH = {
    "RESTANSEBOT_EMAIL_TRANSPORT": "graph",
    "RESTANSEBOT_EMAIL_FROM": "arkiv@k.no",
    "RESTANSEBOT_EMAIL_TENANT_ID": "t",
    "RESTANSEBOT_EMAIL_CLIENT_ID": "c",
    "RESTANSEBOT_EMAIL_CLIENT_SECRET": "client-s3cret",
}


def refused(env: dict[str, str]) -> str:
    with pytest.raises(UserError) as caught:
        load_config(env)
    return caught.value.message


def test_e_mail_is_configured_only_when_a_transport_is_chosen() -> None:
    assert not configured({}) and not configured({"RESTANSEBOT_EMAIL_TRANSPORT": " "})
    assert configured(SMTP) and configured(GRAPH)


def test_smtp_defaults_starttls_on_587_with_login_and_the_secrets_stay_out_of_sight() -> None:
    config = load_config(SMTP)
    assert config.smtp is not None
    assert (config.smtp.port, config.smtp.security, config.smtp.auth) == (587, "starttls", "login")
    assert (config.sender, config.sender_name) == ("arkiv@k.no", "Arkivet")
    assert config.per_minute == 30  # Exchange Online's limit per mailbox
    assert "s3cret" not in repr(config)
    assert load_config({**SMTP, "RESTANSEBOT_SMTP_SECURITY": "tls"}).smtp.port == 465  # type: ignore[union-attr]
    assert "client-s3cret" not in repr(load_config(GRAPH))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"RESTANSEBOT_EMAIL_TRANSPORT": "sendmail"}, "RESTANSEBOT_EMAIL_TRANSPORT"),
        ({"RESTANSEBOT_EMAIL_FROM": ""}, "RESTANSEBOT_EMAIL_FROM"),
        ({"RESTANSEBOT_EMAIL_FROM": "arkivet"}, "RESTANSEBOT_EMAIL_FROM"),
        ({"RESTANSEBOT_EMAIL_REPLY_TO": "post@"}, "RESTANSEBOT_EMAIL_REPLY_TO"),
        ({"RESTANSEBOT_SMTP_HOST": ""}, "RESTANSEBOT_SMTP_HOST"),
        ({"RESTANSEBOT_SMTP_PORT": "smtp"}, "RESTANSEBOT_SMTP_PORT"),
        ({"RESTANSEBOT_SMTP_SECURITY": "ssl"}, "RESTANSEBOT_SMTP_SECURITY"),
        ({"RESTANSEBOT_SMTP_AUTH": "cram"}, "RESTANSEBOT_SMTP_AUTH"),
        ({"RESTANSEBOT_SMTP_PASSWORD": ""}, "RESTANSEBOT_SMTP_PASSWORD"),
        ({"RESTANSEBOT_SMTP_AUTH": "xoauth2"}, "RESTANSEBOT_EMAIL_TENANT_ID"),
        ({"RESTANSEBOT_EMAIL_PER_MINUTE": "-1"}, "RESTANSEBOT_EMAIL_PER_MINUTE"),
    ],
)
def test_a_wrong_smtp_setting_is_named(change: dict[str, str], named: str) -> None:
    message = refused({**SMTP, **change})
    assert named in message
    assert "s3cret" not in message


def test_a_password_over_an_unencrypted_connection_is_refused_unless_the_server_is_this_machine() -> None:
    message = refused({**SMTP, "RESTANSEBOT_SMTP_SECURITY": "none"})
    assert "RESTANSEBOT_SMTP_SECURITY=none" in message and "smtp.k.no" in message
    local = load_config({**SMTP, "RESTANSEBOT_SMTP_SECURITY": "none", "RESTANSEBOT_SMTP_HOST": "127.0.0.1"})
    assert local.smtp is not None and local.smtp.auth == "login"
    relay = {k: v for k, v in SMTP.items() if "USERNAME" not in k and "PASSWORD" not in k}
    open_relay = load_config(
        {**relay, "RESTANSEBOT_SMTP_SECURITY": "none"}
    )  # an internal relay without login
    assert open_relay.smtp is not None and open_relay.smtp.auth == "none"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"RESTANSEBOT_EMAIL_CLIENT_SECRET": ""}, "RESTANSEBOT_EMAIL_CLIENT_SECRET"),
        ({"RESTANSEBOT_EMAIL_TENANT_ID": ""}, "RESTANSEBOT_EMAIL_TENANT_ID"),
        ({"RESTANSEBOT_GRAPH_URL": "http://graph.local"}, "RESTANSEBOT_GRAPH_URL"),
        ({"RESTANSEBOT_EMAIL_AUTHORITY": "http://login.local"}, "RESTANSEBOT_EMAIL_AUTHORITY"),
    ],
)
def test_a_wrong_graph_setting_is_named(change: dict[str, str], named: str) -> None:
    assert named in refused({**GRAPH, **change})
