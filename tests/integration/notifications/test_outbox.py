"""The e-mail outbox end to end: written in the caller's transaction, sent by the
`deliver_email` actor at most once per row, retried on failure, swept up when its message
was lost, and shown to operators. Runs on SQLite with an in-memory broker by default and on
PostgreSQL with the real Redis in CI."""

from __future__ import annotations

import contextlib
import re
import smtplib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app import db
from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.notifications import delivery, mailer, services, tasks
from app.notifications.tables import OutboxEmail, OutboxStatus
from app.settings import get_settings
from app.worker import periodic_actors
from tests.support.fixtures import csrf_token, drain

PENDING, SENDING, SENT, FAILED = (s.value for s in OutboxStatus)


# --- helpers ------------------------------------------------------------------------------------


def drain_queues(*queues: str) -> None:
    drain(*queues)


@pytest.fixture
def mail_dir() -> Path:
    """The development mail directory (var/mail/), emptied for this test."""
    directory = get_settings().mail_dir
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.iterdir():
        leftover.unlink()
    return directory


def eml_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


def read_eml(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[EmailMessage]:
    """Every message handed to the mailer (and really delivered) during the test."""
    delivered: list[EmailMessage] = []
    real_deliver = mailer.deliver

    def counting_deliver(message: EmailMessage, settings: Any) -> None:
        real_deliver(message, settings)
        delivered.append(message)

    monkeypatch.setattr(mailer, "deliver", counting_deliver)
    return delivered


def failing_mailer(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[EmailMessage]:
    """The mailer fails `failures` times (the SMTP server hangs up), then delivers for real."""
    calls: list[EmailMessage] = []
    real_deliver = mailer.deliver

    def flaky_deliver(message: EmailMessage, settings: Any) -> None:
        calls.append(message)
        if len(calls) <= failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        real_deliver(message, settings)

    monkeypatch.setattr(mailer, "deliver", flaky_deliver)
    return calls


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], bool]]:
    """Every `deliver_email` message sent: its arguments, and whether a transaction was still open."""
    calls: list[tuple[tuple[Any, ...], bool]] = []
    real_send = tasks.deliver_email.send

    def recording_send(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, db.get_engine().current_transaction.get() is not None))
        return real_send(*args, **kwargs)

    monkeypatch.setattr(tasks.deliver_email, "send", recording_send)
    return calls


async def insert_email(
    *,
    status: str = PENDING,
    age: timedelta = timedelta(0),
    claimed_ago: timedelta | None = None,
    attempts: int = 0,
    to: str = "ana@acme.example",
    subject: str = "Your RFQ has a new offer",
    last_error: str = "",
) -> int:
    """An outbox row written directly, with no message sent for it: a lost message."""
    now = utcnow()
    email = OutboxEmail(
        message_id=uuid.uuid4(),
        to_address=to,
        subject=subject,
        body_text="Hello,\n\na vendor answered your request.\n",
        status=status,
        attempts=attempts,
        last_error=last_error,
        created_at=now - age,
        claimed_at=None if claimed_ago is None else now - claimed_ago,
        sent_at=now if status == SENT else None,
    )
    await email.save()
    return email.id


async def get_row(email_id: int) -> dict[str, Any]:
    row = await OutboxEmail.select().where(OutboxEmail.id == email_id).first()
    assert row is not None, f"outbox row {email_id} is gone"
    return row


async def queue_committed(**fields: str) -> int:
    values = {"to": "ana@acme.example", "subject": "Offer received", "body": "Globex sent an offer.\n",
              "link": "/rfqs/1/comparison"} | fields
    async with db.transaction():
        return await services.queue_email(**values)


@pytest.fixture
async def anonymous(app: Any) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """`anonymous()`: a fresh cookie-carrying client, signed in as nobody."""
    clients: list[httpx.AsyncClient] = []

    def new_client() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        return client

    yield new_client
    for client in clients:
        await client.aclose()


LONG_AGO = delivery.LOST_AFTER + timedelta(minutes=5)


# --- written with the change it reports ---------------------------------------------------------


async def test_a_rolled_back_transaction_leaves_no_email_and_sends_nothing(worker, mail_dir, enqueued, sends):
    # given a unit of work that queues an e-mail and then fails
    # when it rolls back
    with pytest.raises(RuntimeError, match="rule broken"):
        async with db.transaction():
            await services.queue_email(to="ana@acme.example", subject="Offer received", body="...", link="/rfqs/1")
            raise RuntimeError("business rule broken after the e-mail was queued")
    drain_queues("mail")
    # then there is no row, no message was enqueued (after_commit did not run) and nothing was sent
    assert await OutboxEmail.count() == 0
    assert enqueued == []
    assert sends == []
    assert eml_files(mail_dir) == []


async def test_a_committed_email_is_pending_and_enqueued_only_after_the_commit(enqueued):
    # given a unit of work that queues an e-mail
    async with db.transaction():
        email_id = await services.queue_email(to="ana@acme.example", subject="Offer received", body="Hi",
                                              link="/rfqs/1")
        # while it is still open, no message has been enqueued yet
        assert enqueued == []
    # when it commits
    # then the row is pending, untouched, and one message for it was enqueued outside the transaction
    row = await get_row(email_id)
    assert (row["status"], row["attempts"], row["sent_at"], row["claimed_at"]) == (PENDING, 0, None, None)
    assert enqueued == [((email_id,), False)]


async def test_queue_email_joins_the_callers_transaction():
    # given an outer unit of work that writes an e-mail through a nested transaction
    with pytest.raises(LookupError):
        async with db.transaction():
            async with db.transaction():
                await services.queue_email(to="ana@acme.example", subject="s", body="b", link="/rfqs/1")
            raise LookupError("the outer change fails")
    # then the e-mail went with it
    assert await OutboxEmail.count() == 0


async def test_the_worker_sends_a_committed_email_once(request, mail_dir, sends):
    # given a committed e-mail, still pending
    email_id = await queue_committed(to="ana@acme.example", subject="Offer received", body="Globex sent an offer.\n")
    assert (await get_row(email_id))["status"] == PENDING
    # when a worker runs the mail queue
    request.getfixturevalue("worker")
    drain_queues("mail")
    # then the row is sent, once, and exactly one .eml file holds it
    row = await get_row(email_id)
    assert row["status"] == SENT
    assert row["attempts"] == 1
    assert row["sent_at"] is not None
    assert as_utc(row["sent_at"]) >= as_utc(row["created_at"])
    assert row["last_error"] == ""
    assert len(sends) == 1
    files = eml_files(mail_dir)
    assert [f.name for f in files] == [f"{row['message_id']}.eml"]
    message = read_eml(files[0])
    assert message["To"] == "ana@acme.example"
    assert message["Subject"] == "Offer received"
    assert message["From"] == get_settings().mail_from
    assert message["Message-ID"] == f"<{row['message_id']}@market.localhost>"
    assert message.get_content() == f"Globex sent an offer.\n\n{get_settings().base_url}/rfqs/1/comparison\n"


# --- idempotent ---------------------------------------------------------------------------------


async def test_delivering_the_same_email_twice_sends_it_once(mail_dir, sends):
    # given a committed e-mail
    email_id = await queue_committed()
    # when it is delivered twice (a duplicate message)
    first = await delivery.deliver(email_id)
    second = await delivery.deliver(email_id)
    # then only the first call sent it
    assert (first, second) == (True, False)
    assert len(sends) == 1
    row = await get_row(email_id)
    assert (row["status"], row["attempts"]) == (SENT, 1)
    assert len(eml_files(mail_dir)) == 1


async def test_the_actor_sent_twice_sends_the_email_once(worker, mail_dir, sends):
    # given a committed e-mail (its own message enqueued after the commit)
    email_id = await queue_committed()
    # when the broker delivers two duplicate messages for it as well (at-least-once delivery)
    tasks.deliver_email.send(email_id)
    tasks.deliver_email.send(email_id)
    drain_queues("mail")
    # then it was sent exactly once
    assert len(sends) == 1
    row = await get_row(email_id)
    assert (row["status"], row["attempts"]) == (SENT, 1)
    assert len(eml_files(mail_dir)) == 1


@pytest.mark.parametrize("status", [SENT, SENDING, FAILED])
async def test_deliver_is_a_no_op_unless_the_email_is_pending(status, mail_dir, sends):
    # given a row that is already sent, being sent by another worker, or given up on
    email_id = await insert_email(status=status, attempts=1, claimed_ago=timedelta(seconds=5))
    before = await get_row(email_id)
    # when a delivery for it arrives
    sent = await delivery.deliver(email_id)
    # then nothing is sent and the row is unchanged
    assert sent is False
    assert sends == []
    assert eml_files(mail_dir) == []
    assert await get_row(email_id) == before


async def test_deliver_of_an_unknown_email_is_a_no_op(sends):
    # given no such row (its transaction was rolled back after all, or it was deleted)
    # when a message for it arrives, then it is a no-op, not an error that dramatiq would retry
    assert await delivery.deliver(424242) is False
    assert sends == []


# --- retried ------------------------------------------------------------------------------------


async def test_a_failed_delivery_stays_pending_with_the_error_and_the_next_attempt_sends_it(
    monkeypatch, mail_dir
):
    # given a committed e-mail and an SMTP server that hangs up once
    email_id = await queue_committed()
    calls = failing_mailer(monkeypatch, failures=1)
    # when it is delivered
    with pytest.raises(smtplib.SMTPServerDisconnected):
        await delivery.deliver(email_id)
    # then the error propagates (so dramatiq retries) and the row is pending again, with the reason
    row = await get_row(email_id)
    assert row["status"] == PENDING
    assert row["attempts"] == 1
    assert row["last_error"] == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert row["sent_at"] is None
    assert eml_files(mail_dir) == []
    # when it is delivered again
    assert await delivery.deliver(email_id) is True
    # then it is sent, the error is cleared, and both attempts built the same Message-ID
    row = await get_row(email_id)
    assert (row["status"], row["attempts"], row["last_error"]) == (SENT, 2, "")
    assert row["sent_at"] is not None
    assert len(calls) == 2
    assert calls[0]["Message-ID"] == calls[1]["Message-ID"]
    assert len(eml_files(mail_dir)) == 1


async def test_after_max_attempts_the_email_is_failed_and_deliver_stops_raising(monkeypatch, mail_dir):
    # given an e-mail whose SMTP server always fails
    email_id = await queue_committed()
    calls = failing_mailer(monkeypatch, failures=10_000)
    # when every attempt but the last fails
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            await delivery.deliver(email_id)
        row = await get_row(email_id)
        assert (row["status"], row["attempts"]) == (PENDING, attempt)
    # and the last one fails too
    result = await delivery.deliver(email_id)
    # then the row is failed for good, deliver returns False without raising (no more retries)
    assert result is False
    row = await get_row(email_id)
    assert row["status"] == FAILED
    assert row["attempts"] == delivery.MAX_ATTEMPTS
    assert row["last_error"] == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert row["sent_at"] is None
    # and later messages for it send nothing
    assert await delivery.deliver(email_id) is False
    assert len(calls) == delivery.MAX_ATTEMPTS
    assert eml_files(mail_dir) == []


def test_the_deliver_actor_is_retried_as_many_times_as_the_outbox_allows():
    # given the actor's options
    options = tasks.deliver_email.options
    # then dramatiq retries a failed delivery, with backoff, up to MAX_ATTEMPTS times on the mail queue
    assert tasks.deliver_email.queue_name == "mail"
    assert options["max_retries"] >= delivery.MAX_ATTEMPTS - 1
    assert options["min_backoff"] > 0


async def test_the_worker_retries_a_failed_delivery_until_it_is_sent(worker, monkeypatch, mail_dir):
    # given a pending e-mail and an SMTP server that hangs up once
    calls = failing_mailer(monkeypatch, failures=1)
    email_id = await insert_email()
    # when the worker runs its message (with the retry backoff shortened from seconds to
    # milliseconds for the test; the retry itself is dramatiq's, driven by the actor raising)
    tasks.deliver_email.send_with_options(args=(email_id,), min_backoff=10, max_backoff=50)
    drain_queues("mail")
    # then the retry sent it: one failure, one success, and the row shows both attempts
    row = await get_row(email_id)
    assert (row["status"], row["attempts"], row["last_error"]) == (SENT, 2, "")
    assert len(calls) == 2
    assert len(eml_files(mail_dir)) == 1


async def test_an_email_that_cannot_be_built_ends_failed_not_stuck_in_sending(sends):
    # given an e-mail whose subject carries a line break (e.g. copied from a user's RFQ title)
    try:
        email_id = await queue_committed(subject="Offer for RFQ 12\r\nBcc: attacker@evil.example")
    except (ValueError, DomainError):
        # refusing it at queue time is a correct fix too: then nothing was written
        assert await OutboxEmail.count() == 0
        return
    # when every allowed attempt is made, the sweeper releasing stuck claims in between
    for _ in range(delivery.MAX_ATTEMPTS + 1):
        with contextlib.suppress(ValueError):
            await delivery.deliver(email_id)
        await delivery.overdue_ids(now=utcnow() + delivery.STUCK_AFTER + timedelta(minutes=1))
    # then it was never sent, the operators see why, and it is given up on (after MAX_ATTEMPTS at most)
    assert sends == []
    row = await get_row(email_id)
    assert "linefeed" in row["last_error"]
    assert row["status"] == FAILED
    assert 1 <= row["attempts"] <= delivery.MAX_ATTEMPTS


# --- a lost message loses no work ---------------------------------------------------------------


async def test_overdue_ids_finds_lost_and_stuck_emails_and_nothing_in_flight():
    # given e-mails in every state
    lost = await insert_email(age=LONG_AGO)
    stuck = await insert_email(
        status=SENDING, age=LONG_AGO, attempts=1, claimed_ago=delivery.STUCK_AFTER + timedelta(minutes=1)
    )
    fresh = await insert_email(age=timedelta(seconds=10))
    busy = await insert_email(status=SENDING, age=LONG_AGO, attempts=1, claimed_ago=timedelta(seconds=30))
    sent = await insert_email(status=SENT, age=LONG_AGO, attempts=1, claimed_ago=LONG_AGO)
    failed = await insert_email(status=FAILED, age=LONG_AGO, attempts=delivery.MAX_ATTEMPTS, claimed_ago=LONG_AGO)
    # when the sweeper asks for overdue work
    overdue = await delivery.overdue_ids()
    # then the lost one and the stuck one are due; the stuck claim is released back to pending
    assert overdue == [lost, stuck]
    assert (await get_row(stuck))["status"] == PENDING
    # and nothing else changed: a fresh message is presumably still in flight, a recent claim is alive
    assert (await get_row(fresh))["status"] == PENDING
    assert (await get_row(busy))["status"] == SENDING
    assert (await get_row(sent))["status"] == SENT
    assert (await get_row(failed))["status"] == FAILED


async def test_overdue_ids_uses_lost_after_as_the_cut_off():
    # given a pending row just younger than LOST_AFTER
    email_id = await insert_email(age=delivery.LOST_AFTER - timedelta(seconds=30))
    # then it is not overdue now, but is a minute later
    assert await delivery.overdue_ids() == []
    assert await delivery.overdue_ids(now=utcnow() + timedelta(minutes=1)) == [email_id]


async def test_the_sweeper_waits_for_a_failed_emails_retry_to_fall_due(monkeypatch):
    # given an e-mail queued long ago whose first delivery just failed
    email_id = await insert_email(age=LONG_AGO)

    def down(message, settings):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mailer, "deliver", down)
    with pytest.raises(ConnectionRefusedError):
        await delivery.deliver(email_id)
    row = await OutboxEmail.select(OutboxEmail.next_attempt_at).where(OutboxEmail.id == email_id).first()
    assert row["next_attempt_at"] > utcnow()
    # then the sweeper leaves it to dramatiq's retry for now
    assert await delivery.overdue_ids() == []
    # and takes it only once the retry is overdue by LOST_AFTER (its message was lost after all)
    late = row["next_attempt_at"] + delivery.LOST_AFTER + timedelta(seconds=1)
    assert await delivery.overdue_ids(now=late) == [email_id]


def test_retry_delays_back_off_exponentially_up_to_a_cap():
    delays = [delivery.retry_delay(attempt) for attempt in range(1, 12)]
    assert delays[0] == delivery.MIN_RETRY_DELAY
    assert delays == sorted(delays)
    assert delays[-1] == delivery.MAX_RETRY_DELAY


def test_the_outbox_sweep_is_a_periodic_actor():
    # given the actors the worker's sweeper sends every MARKET_SWEEP_INTERVAL
    # then the outbox sweep is one of them, on the default queue
    assert tasks.sweep_outbox in list(periodic_actors())
    assert tasks.sweep_outbox.queue_name == "default"


async def test_the_sweeper_delivers_lost_and_stuck_emails_but_not_fresh_ones(worker, mail_dir, sends):
    # given an e-mail whose message was lost, one whose worker died while sending it,
    # one queued a moment ago whose message is still in flight, and a live claim
    lost = await insert_email(age=LONG_AGO, to="lost@acme.example")
    stuck = await insert_email(
        status=SENDING, age=LONG_AGO, attempts=1, claimed_ago=delivery.STUCK_AFTER + timedelta(minutes=1),
        to="stuck@acme.example",
    )
    fresh = await insert_email(age=timedelta(seconds=5), to="fresh@acme.example")
    busy = await insert_email(status=SENDING, age=LONG_AGO, attempts=1, claimed_ago=timedelta(seconds=30))
    # when the sweep runs on the worker
    tasks.sweep_outbox.send()
    drain_queues("default", "mail")
    # then the lost and the stuck e-mails are sent, once each
    for email_id, attempts in ((lost, 1), (stuck, 2)):
        row = await get_row(email_id)
        assert (row["status"], row["attempts"]) == (SENT, attempts)
        assert row["sent_at"] is not None
    assert sorted(message["To"] for message in sends) == ["lost@acme.example", "stuck@acme.example"]
    assert len(eml_files(mail_dir)) == 2
    # and the fresh one and the live claim were left alone
    assert (await get_row(fresh))["status"] == PENDING
    assert (await get_row(fresh))["attempts"] == 0
    assert (await get_row(busy))["status"] == SENDING


async def test_sweeping_twice_still_sends_once(worker, sends):
    # given a lost e-mail
    email_id = await insert_email(age=LONG_AGO)
    # when two sweepers (two worker processes) run at the same time
    tasks.sweep_outbox.send()
    tasks.sweep_outbox.send()
    drain_queues("default", "mail")
    # then it was sent once
    assert len(sends) == 1
    assert (await get_row(email_id))["attempts"] == 1


async def test_a_broker_outage_after_commit_does_not_fail_the_committed_change(monkeypatch):
    # given a broker that is down when the e-mail's message is enqueued
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_email, "send", broker_down)
    # when a unit of work queues an e-mail and commits
    error: Exception | None = None
    try:
        async with db.transaction():
            await services.queue_email(to="ana@acme.example", subject="Offer received", body="...", link="/rfqs/1")
    except ConnectionError as exc:
        error = exc
    # then the change is committed and the e-mail pending: the sweeper delivers it later
    assert await OutboxEmail.count() == 1
    monkeypatch.undo()
    later = utcnow() + delivery.LOST_AFTER + timedelta(minutes=1)
    for email_id in await delivery.overdue_ids(now=later):
        await delivery.deliver(email_id)
    assert (await OutboxEmail.select(OutboxEmail.status).first())["status"] == SENT
    # and the caller was not told its committed change failed
    assert error is None


# --- the business path: an invitation -----------------------------------------------------------


async def test_an_invited_user_gets_the_email_follows_the_link_and_can_log_in(
    world, api, anonymous, worker, mail_dir
):
    # given an operator with an API token
    operator = await api(world.operator)
    # when they add a user to the buyer company without a password
    response = await operator.post(
        f"/api/v1/companies/{world.buyer.id}/users",
        json={"email": "Nina.New@Acme.example", "name": "Nina New", "roles": ["purchaser"]},
    )
    assert response.status_code == 201, response.text
    assert response.json()["invited"] is True
    assert response.json()["active"] is False
    # then an invitation e-mail is queued in the outbox
    (row,) = await OutboxEmail.select().where(OutboxEmail.to_address == "nina.new@acme.example")
    assert row["subject"] == "You are invited to the marketplace"
    assert re.search(r"/invitations/[A-Za-z0-9_-]{20,}", row["body_text"])
    # and the worker delivers it
    drain_queues("mail")
    assert (await get_row(row["id"]))["status"] == SENT
    (eml,) = eml_files(mail_dir)
    delivered = read_eml(eml)
    assert delivered["To"] == "nina.new@acme.example"
    # and before accepting, the invited user cannot log in
    refused = await anonymous().post(
        "/api/v1/auth/token", json={"email": "nina.new@acme.example", "password": "anything-at-all"}
    )
    assert refused.status_code == 401

    # when the user follows the link in the delivered e-mail
    link = re.search(r"https?://\S+/invitations/\S+", delivered.get_content())
    assert link, delivered.get_content()
    path = urlsplit(link.group(0)).path
    visitor = anonymous()
    form = await visitor.get(path)
    assert form.status_code == 200
    assert "nina.new@acme.example" in form.text
    # and chooses a password, twice
    new_password = "a-brand-new-password"
    accepted = await visitor.post(
        path,
        data={"password": new_password, "password_again": new_password, "_csrf_token": csrf_token(form.text)},
    )
    # then they are signed in and their account is active
    assert accepted.status_code == 303, accepted.text
    assert accepted.headers["location"] == "/"
    assert "id" in accepted.cookies
    user = await api("nina.new@acme.example", new_password)
    me = await user.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "nina.new@acme.example"
    assert me.json()["company"]["id"] == world.buyer.id
    assert me.json()["roles"] == ["purchaser"]
    # and the link works only once
    assert (await anonymous().get(path)).status_code == 404


# --- the operators' outbox page -----------------------------------------------------------------


async def test_operators_see_every_email_with_its_status(world, browser):
    # given e-mails in several states
    await insert_email(status=SENT, attempts=1, to="sent@acme.example", subject="Contract signed")
    await insert_email(
        status=FAILED, attempts=delivery.MAX_ATTEMPTS, to="failed@acme.example", subject="Offer rejected",
        last_error="SMTPRecipientsRefused: 550 no such user",
    )
    await insert_email(to="pending@acme.example", subject="New RFQ")
    operator = await browser(world.operator)
    # when an operator opens the outbox
    page = await operator.get("/operator/outbox")
    # then every e-mail is listed with its recipient, subject, status and last error
    assert page.status_code == 200
    rows = table_rows(page.text)
    assert [(r["to"], r["subject"], r["status"]) for r in rows] == [
        ("pending@acme.example", "New RFQ", PENDING),
        ("failed@acme.example", "Offer rejected", FAILED),
        ("sent@acme.example", "Contract signed", SENT),
    ]
    assert "SMTPRecipientsRefused: 550 no such user" in page.text


async def test_the_outbox_page_filters_by_status(world, browser):
    await insert_email(status=SENT, attempts=1, to="sent@acme.example")
    await insert_email(status=FAILED, attempts=delivery.MAX_ATTEMPTS, to="failed@acme.example")
    operator = await browser(world.operator)
    # when the operator picks the failed e-mails
    page = await operator.get("/operator/outbox", params={"status": FAILED})
    # then only those are listed
    assert page.status_code == 200
    assert [r["to"] for r in table_rows(page.text)] == ["failed@acme.example"]
    # and an unknown status is a 400 that names the statuses there are
    bogus = await operator.get("/operator/outbox", params={"status": "bogus"})
    assert bogus.status_code == 400 and "Status must be one of" in bogus.text
    # and a search by recipient, and the export of what it found
    assert [r["to"] for r in table_rows((await operator.get("/operator/outbox?q=SENT@")).text)] == [
        "sent@acme.example"]
    exported = await operator.get("/operator/outbox/export.csv?sort=to")
    assert exported.status_code == 200
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["failed@acme.example", "sent@acme.example"]


async def test_the_outbox_page_escapes_what_it_shows(world, browser):
    # given a subject holding markup
    await insert_email(subject='<script>alert("x")</script>')
    operator = await browser(world.operator)
    # when the operator opens the outbox
    page = await operator.get("/operator/outbox")
    # then the markup is shown as text, not run
    assert '<script>alert("x")</script>' not in page.text
    assert "&lt;script&gt;" in page.text


async def test_a_buyer_is_refused_the_outbox(world, browser):
    # given e-mails to other people
    await insert_email(to="someone.else@other.example", subject="Private")
    buyer = await browser(world.buyer_admin)
    # when a buyer opens the operators' outbox
    page = await buyer.get("/operator/outbox")
    # then it is forbidden and shows none of them
    assert page.status_code == 403
    assert "someone.else@other.example" not in page.text


async def test_an_anonymous_visitor_is_sent_to_log_in(anonymous):
    page = await anonymous().get("/operator/outbox")
    assert page.status_code in {302, 303, 307}
    assert page.headers["location"].startswith("/login")


def table_rows(html: str) -> list[dict[str, str]]:
    """The outbox table's body rows as {to, subject, status}."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) >= 4:
            rows.append({"to": cells[1], "subject": cells[2], "status": cells[3]})
    return rows

