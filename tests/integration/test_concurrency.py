"""Concurrent writers neither fail with "database is locked" nor break invariants."""

import asyncio

from piccolo.apps.user.tables import BaseUser

from app.accounts import services
from app.accounts.schemas import CompanyIn, UserIn
from app.errors import Conflict
from tests.support.fixtures import PASSWORD


async def test_twenty_concurrent_registrations_all_succeed():
    # given twenty companies registered at the same moment
    results = await asyncio.gather(
        *[
            services.create_company(CompanyIn(name=f"Parallel {i}", kind="buyer", country="DE", currency="EUR"))
            for i in range(20)
        ],
        return_exceptions=True,
    )
    # then none failed: SQLite writers queue on the busy timeout instead of erroring
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.id for r in results}) == 20


async def test_the_same_email_registered_twice_at_once_gives_one_user(world):
    attempts = await asyncio.gather(
        *[
            services.create_user(
                None,
                world.buyer.id,
                UserIn(email="race@example.com", name="Race", roles=["purchaser"], password=PASSWORD),
            )
            for _ in range(5)
        ],
        return_exceptions=True,
    )
    created = [a for a in attempts if not isinstance(a, Exception)]
    assert len(created) == 1
    # the others lost to the check or to the unique index, never with a silent duplicate
    assert all(isinstance(a, Conflict) or "unique" in str(a).lower() for a in attempts if isinstance(a, Exception))
    assert await BaseUser.count().where(BaseUser.username == "race@example.com") == 1


async def test_concurrent_token_requests_all_succeed(world, client):
    responses = await asyncio.gather(
        *[client.post("/api/v1/auth/token", json={"email": world.purchaser, "password": PASSWORD}) for _ in range(15)]
    )
    assert [r.status_code for r in responses] == [201] * 15
    assert len({r.json()["token"] for r in responses}) == 15
