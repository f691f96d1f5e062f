"""The `market` command as an operator runs it: a real process on the tests' database."""

import os
import subprocess
import sys

import pytest
from piccolo.apps.user.tables import BaseUser

from app.accounts.tables import Company, Membership


def market(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )


async def test_migrate_is_idempotent():
    result = market("migrate")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


async def test_demo_data_is_idempotent_and_prints_every_login():
    first = market("demo-data")
    assert first.returncode == 0, first.stderr
    assert "demo-password" in first.stdout
    for email in ["operator@market.example", "admin@acme.example", "buyer@acme.example", "approver@acme.example",
                  "admin@northwind.example", "sales@globex.example", "sales@stark.example"]:
        assert email in first.stdout
    counts = (await Company.count(), await BaseUser.count())
    second = market("demo-data")
    assert second.returncode == 0, second.stderr
    assert (await Company.count(), await BaseUser.count()) == counts == (7, 11)
    assert await Company.count().where(Company.kind == "vendor") == 4
    buyers = await Membership.select(Membership.company.name).where(Membership.company.kind == "buyer")
    assert len(buyers) == 6


async def test_create_operator_prompts_for_the_password_and_makes_a_back_office_user():
    result = market("create-operator", "--email", "Ops@Example.com", stdin="s3cure-enough\ns3cure-enough\n")
    assert result.returncode == 0, result.stderr
    user = await BaseUser.select(BaseUser.admin, BaseUser.active).where(BaseUser.username == "ops@example.com").first()
    assert user == {"admin": True, "active": True}
    again = market("create-operator", "--email", "ops@example.com", "--password", "s3cure-enough")
    assert again.returncode == 0
    assert "already exists" in again.stdout


async def test_create_operator_refuses_a_weak_password():
    result = market("create-operator", "--email", "weak@example.com", "--password", "123")
    assert result.returncode != 0
    assert "at least 8 characters" in result.stderr


@pytest.mark.skipif(
    not os.environ["MARKET_DATABASE_URL"].startswith("sqlite"), reason="several processes are fine on PostgreSQL"
)
def test_serve_refuses_several_processes_on_sqlite():
    result = market("serve", "--workers", "2")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr
