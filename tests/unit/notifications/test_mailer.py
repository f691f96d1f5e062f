"""The mailer on its own: the message it builds, the .eml file it writes and the SMTP
conversation it holds with a real (local) SMTP server. No database involved."""

from __future__ import annotations

import dataclasses
import socket
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from app.notifications import mailer
from app.settings import Settings, get_settings

SENDER = "Marketplace <no-reply@market.localhost>"


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def a_message(message_id: str | None = None, **overrides: str) -> EmailMessage:
    fields = {
        "sender": SENDER,
        "to": "ana@acme.example",
        "subject": "Your quote request RFQ-7 has 3 offers",
        "body": "Hello Ana,\n\nthree vendors answered.\n",
    }
    fields.update(overrides)
    return mailer.build_message(message_id=message_id or str(uuid.uuid4()), **fields)


def settings_with(**changes: object) -> Settings:
    return dataclasses.replace(get_settings(), **changes)


# --- build_message ------------------------------------------------------------------------------


def test_the_message_id_comes_from_the_row_uuid_and_is_the_same_on_every_attempt():
    # given the uuid of an outbox row
    row_uuid = str(uuid.uuid4())
    # when the message is built twice, as a first delivery and a retry would
    first = a_message(row_uuid)
    retry = a_message(row_uuid)
    # then both carry the same Message-ID, made of the uuid and the domain
    assert first["Message-ID"] == f"<{row_uuid}@market.localhost>"
    assert retry["Message-ID"] == first["Message-ID"]


def test_the_message_id_domain_can_be_chosen():
    row_uuid = str(uuid.uuid4())
    message = mailer.build_message(
        message_id=row_uuid, sender=SENDER, to="a@b.example", subject="s", body="b", domain="market.example.com"
    )
    assert message["Message-ID"] == f"<{row_uuid}@market.example.com>"


def test_without_a_row_uuid_each_message_gets_a_fresh_message_id():
    # given no uuid
    # when two messages are built
    first = mailer.build_message(message_id="", sender=SENDER, to="a@b.example", subject="s", body="b")
    second = mailer.build_message(message_id="", sender=SENDER, to="a@b.example", subject="s", body="b")
    # then each has a well-formed, distinct Message-ID on the domain
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].startswith("<") and first["Message-ID"].endswith("@market.localhost>")


def test_the_message_carries_sender_recipient_subject_date_and_body():
    # given the fields of an outbox row
    # when the message is built
    message = a_message(to="Ana Buyer <ana@acme.example>")
    # then the headers are the row's, the date is an aware timestamp and the body is plain text
    assert message["From"] == SENDER
    assert message["To"] == "Ana Buyer <ana@acme.example>"
    assert message["Subject"] == "Your quote request RFQ-7 has 3 offers"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Hello Ana,\n\nthree vendors answered.\n"


def test_non_ascii_subject_and_body_survive_the_wire_format():
    # given a subject and a body outside ASCII
    message = a_message(subject="Angebot für Müller & Söhne - 12 €", body="Grüße aus Köln 👋\n")
    # when it is serialised to bytes and read back, as a mail client would
    back = parse(bytes(message))
    # then nothing was lost
    assert back["Subject"] == "Angebot für Müller & Söhne - 12 €"
    assert back.get_content() == "Grüße aus Köln 👋\n"


def test_a_header_with_a_line_break_is_refused_rather_than_injected():
    # given a subject that tries to add a Bcc header
    # when the message is built
    # then the e-mail library refuses it instead of sending to an extra recipient
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        a_message(subject="Hello\r\nBcc: attacker@evil.example")


# --- development delivery: .eml files ------------------------------------------------------------


def test_write_eml_writes_one_file_named_after_the_message_id(tmp_path: Path):
    # given a message and a mail directory that does not exist yet
    row_uuid = str(uuid.uuid4())
    message = a_message(row_uuid)
    directory = tmp_path / "var" / "mail"
    # when it is written
    mailer._write_eml(message, directory)
    # then there is exactly one file, <uuid>.eml, holding the whole message
    files = sorted(p.name for p in directory.iterdir())
    assert files == [f"{row_uuid}.eml"]
    back = parse((directory / f"{row_uuid}.eml").read_bytes())
    assert back["Message-ID"] == f"<{row_uuid}@market.localhost>"
    assert back["To"] == "ana@acme.example"
    assert back["Subject"] == message["Subject"]
    assert back.get_content() == message.get_content()


def test_a_second_delivery_replaces_the_file_instead_of_adding_one(tmp_path: Path):
    # given a message already written once
    row_uuid = str(uuid.uuid4())
    mailer._write_eml(a_message(row_uuid, body="first attempt\n"), tmp_path)
    # when the same outbox row is delivered again (a retry builds the message anew)
    mailer._write_eml(a_message(row_uuid, body="second attempt\n"), tmp_path)
    # then there is still one file, holding the latest delivery, and no temporary file left over
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{row_uuid}.eml"]
    assert parse((tmp_path / f"{row_uuid}.eml").read_bytes()).get_content() == "second attempt\n"


def test_different_messages_get_different_files(tmp_path: Path):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    mailer._write_eml(a_message(first), tmp_path)
    mailer._write_eml(a_message(second), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{first}.eml", f"{second}.eml"])


def test_deliver_without_smtp_url_writes_into_the_mail_dir(tmp_path: Path):
    # given development settings: no SMTP server
    settings = settings_with(smtp_url=None, var_dir=tmp_path)
    row_uuid = str(uuid.uuid4())
    # when a message is delivered
    mailer.deliver(a_message(row_uuid), settings)
    # then it lands in var/mail/
    assert settings.mail_dir == tmp_path / "mail"
    assert [p.name for p in settings.mail_dir.iterdir()] == [f"{row_uuid}.eml"]


# --- production delivery: SMTP -------------------------------------------------------------------


class CollectingHandler:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class RecordingAuthenticator:
    """Accepts one login and password, and remembers every attempt."""

    def __init__(self, login: str, password: str) -> None:
        self.expected = (login.encode(), password.encode())
        self.attempts: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism: str, auth_data: object) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.attempts.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == self.expected)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, CollectingHandler]]:
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def smtp_server_with_login() -> Iterator[tuple[Controller, CollectingHandler, RecordingAuthenticator]]:
    handler = CollectingHandler()
    authenticator = RecordingAuthenticator("mailer", "s3cret p@ss")
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,  # a local test server without TLS
    )
    controller.start()
    yield controller, handler, authenticator
    controller.stop()


def test_send_smtp_without_login_delivers_the_message(smtp_server):
    # given a local SMTP server that needs no login
    controller, handler = smtp_server
    row_uuid = str(uuid.uuid4())
    message = a_message(row_uuid, body="Offer accepted.\n")
    # when the message is sent through a login-less smtp:// URL
    mailer._send_smtp(message, f"smtp://127.0.0.1:{controller.port}")
    # then the server received exactly that message, for that recipient
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.mail_from == "no-reply@market.localhost"
    assert envelope.rcpt_tos == ["ana@acme.example"]
    received = parse(envelope.content)
    assert received["Message-ID"] == f"<{row_uuid}@market.localhost>"
    assert received["Subject"] == message["Subject"]
    assert received.get_content().replace("\r\n", "\n") == "Offer accepted.\n"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_send_smtp_logs_in_with_the_decoded_credentials_of_the_url(smtp_server_with_login):
    # given a server that requires a login, and a password that needs URL-encoding
    controller, handler, authenticator = smtp_server_with_login
    message = a_message()
    # when the message is sent with the credentials in the URL
    mailer._send_smtp(message, f"smtp://mailer:s3cret%20p%40ss@127.0.0.1:{controller.port}")
    # then it logged in with the decoded password and the message went through
    assert authenticator.attempts == [(b"mailer", b"s3cret p@ss")]
    assert len(handler.envelopes) == 1
    assert parse(handler.envelopes[0].content)["Message-ID"] == message["Message-ID"]


def test_non_ascii_text_survives_smtp(smtp_server):
    # given a message with umlauts and an emoji
    controller, handler = smtp_server
    message = a_message(subject="Angebot für Müller - 12 €", body="Grüße aus Köln 👋\n")
    # when it is sent over SMTP
    mailer._send_smtp(message, f"smtp://127.0.0.1:{controller.port}")
    # then the server has the same subject and body
    received = parse(handler.envelopes[0].content)
    assert received["Subject"] == "Angebot für Müller - 12 €"
    assert received.get_content().replace("\r\n", "\n") == "Grüße aus Köln 👋\n"


def test_deliver_with_smtp_url_uses_smtp_and_writes_no_file(smtp_server, tmp_path: Path):
    # given production-like settings with an SMTP server
    controller, handler = smtp_server
    settings = settings_with(smtp_url=f"smtp://127.0.0.1:{controller.port}", var_dir=tmp_path)
    # when a message is delivered
    mailer.deliver(a_message(), settings)
    # then it went over SMTP and no .eml file was written
    assert len(handler.envelopes) == 1
    assert not settings.mail_dir.exists()


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="smtp:// or smtps://"):
        mailer._send_smtp(a_message(), "http://127.0.0.1:25")
