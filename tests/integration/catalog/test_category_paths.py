"""The database keeps every category's path right, whoever writes the row (API, piccolo-admin, a script), so a
segment that denies a category denies its whole subtree, moves included; a parent that makes a cycle is refused."""

import importlib
import sqlite3

import asyncpg
import pytest

from app.catalog.tables import Category
from app.db import is_sqlite
from tests.support.catalog import a_listing, a_product, a_segment

INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)
MIGRATION = importlib.import_module("app.catalog.piccolo_migrations.catalog_2026_11_29t19_30_00_000000")


async def a_category(name: str, parent: int | None = None, path: str = "") -> int:
    """A category as piccolo-admin or a script writes it: with whatever path it was given."""
    category = Category(name=name, parent=parent, path=path)
    await category.save()
    return category.id


async def paths() -> dict[int, str]:
    return {row["id"]: row["path"] for row in await Category.select(Category.id, Category.path)}


async def move(category: int, parent: int | None) -> None:
    await Category.update({Category.parent: parent}).where(Category.id == category)


@pytest.fixture
async def shop(world):
    """Medical and Office at the top, Protective (with Masks below it) under Office; a product in Masks and
    one in Office, sold by the world's vendor; the buyer's segment denies Medical."""
    medical = await a_category("Medical")
    office = await a_category("Office")
    protective = await a_category("Protective", office)
    masks = await a_category("Masks", protective)
    mask = await a_product("FFP2 mask", category=masks)
    pen = await a_product("Ballpoint pen", category=office)
    await a_listing(world.vendor.id, mask, "M-1")
    await a_listing(world.vendor.id, pen, "P-1")
    await a_segment("Schools", members=[world.buyer.id], rules=[("deny", "category", medical)])
    return {"medical": medical, "office": office, "protective": protective, "masks": masks, "mask": mask,
            "pen": pen}


async def visible(client, product: int) -> tuple[bool, bool]:
    """Whether the buyer finds the product by a plain browse, and whether its page opens."""
    body = (await client.get("/api/v1/catalog/products", params={"per_page": 100})).json()
    page = await client.get(f"/api/v1/catalog/products/{product}")
    assert page.status_code in (200, 404), page.text
    return product in {item["id"] for item in body["items"]}, page.status_code == 200


# --- inserts ------------------------------------------------------------------------------------


async def test_a_new_category_gets_its_path_from_its_parent_whatever_path_it_was_given(shop):
    # when categories are inserted with an empty or a made-up path, through the ORM or plain SQL
    gloves = await a_category("Gloves", shop["medical"])
    [raw] = await Category.raw("INSERT INTO category (name, parent, path) VALUES ('Swabs', {}, '/999/') RETURNING id",
                               shop["medical"])
    top = await a_category("Tools", path="/1/2/3/")
    # then each path lists its ancestors then itself
    stored = await paths()
    assert stored[gloves] == f"/{shop['medical']}/{gloves}/"
    assert stored[raw["id"]] == f"/{shop['medical']}/{raw['id']}/"
    assert stored[top] == f"/{top}/"
    assert stored[shop["masks"]] == f"/{shop['office']}/{shop['protective']}/{shop['masks']}/"


async def test_a_product_in_a_new_subcategory_of_a_denied_category_is_hidden(world, api, shop):
    # given a category made under Medical with an empty path, as piccolo-admin sends it
    swabs = await a_category("Swabs", shop["medical"])
    swab = await a_product("Cotton swab", category=swabs)
    await a_listing(world.vendor.id, swab, "S-1")
    # when the buyer, whose segment denies Medical, browses and opens the product
    buyer = await api(world.purchaser)
    # then it is not there; the rest still is
    assert await visible(buyer, swab) == (False, False)
    assert await visible(buyer, shop["pen"]) == (True, True)


async def test_the_api_answers_with_the_path_the_database_derived(world, api, shop):
    operator = await api(world.operator)
    made = await operator.post("/api/v1/categories", json={"name": "Gauze", "parent_id": shop["medical"]})
    assert made.status_code == 201, made.text
    assert made.json()["path"] == f"/{shop['medical']}/{made.json()['id']}/"
    assert (await paths())[made.json()["id"]] == made.json()["path"]


# --- moves --------------------------------------------------------------------------------------


async def test_moving_a_category_moves_its_subtree_and_visibility_follows(world, api, shop):
    # given the buyer sees the mask, in Masks under Protective under Office (and has browsed, so PostgreSQL
    # has cached the whole catalog's facet counts)
    buyer = await api(world.purchaser)
    assert await visible(buyer, shop["mask"]) == (True, True)
    # when Protective is moved under the denied Medical (only its parent is written)
    await move(shop["protective"], shop["medical"])
    # then Protective and Masks below it have Medical's path, and the mask is gone for the buyer
    stored = await paths()
    assert stored[shop["protective"]] == f"/{shop['medical']}/{shop['protective']}/"
    assert stored[shop["masks"]] == f"/{shop['medical']}/{shop['protective']}/{shop['masks']}/"
    assert await visible(buyer, shop["mask"]) == (False, False)
    body = (await buyer.get("/api/v1/catalog/products")).json()
    assert body["total"] == 1 and {f["label"] for f in body["facets"]["category"]} == {"Office"}
    # and moved back to the top, it is visible again
    await move(shop["protective"], None)
    stored = await paths()
    assert stored[shop["protective"]] == f"/{shop['protective']}/"
    assert stored[shop["masks"]] == f"/{shop['protective']}/{shop['masks']}/"
    assert await visible(buyer, shop["mask"]) == (True, True)


async def test_a_deep_subtree_moves_whole_and_other_branches_stay(shop):
    # given four levels below Protective, and a sibling branch
    levels = [shop["masks"]]
    for depth in range(4):
        levels.append(await a_category(f"Level {depth}", levels[-1]))
    sibling = await a_category("Paper", shop["office"])
    # when Protective moves under Medical
    await move(shop["protective"], shop["medical"])
    # then every level follows, and nothing outside the subtree changed
    stored = await paths()
    expected = f"/{shop['medical']}/{shop['protective']}/"
    for category in levels:
        expected += f"{category}/"
        assert stored[category] == expected
    assert stored[sibling] == f"/{shop['office']}/{sibling}/"
    assert stored[shop["office"]] == f"/{shop['office']}/"


async def test_a_path_written_directly_is_put_right(shop):
    # when a script writes nonsense into a path (plain SQL, and through the ORM)
    await Category.raw("UPDATE category SET path = '/' WHERE id = {}", shop["protective"])
    await Category.update({Category.path: ""}).where(Category.id == shop["masks"])
    # then the database keeps the paths derived from the parents
    stored = await paths()
    assert stored[shop["protective"]] == f"/{shop['office']}/{shop['protective']}/"
    assert stored[shop["masks"]] == f"/{shop['office']}/{shop['protective']}/{shop['masks']}/"


async def test_a_parent_that_would_make_a_cycle_is_refused(shop):
    # given Office > Protective > Masks > Level
    level = await a_category("Level", shop["masks"])
    before = await paths()
    # when a category is placed under itself or anything below it
    for category, parent in [(shop["office"], shop["office"]), (shop["office"], shop["protective"]),
                             (shop["office"], level), (shop["protective"], shop["masks"])]:
        with pytest.raises(INTEGRITY_ERRORS, match="category_parent_cycle"):
            await move(category, parent)
    # then nothing changed; and moving it under a sibling branch is fine
    assert await paths() == before
    assert await Category.select(Category.id).where(Category.parent.is_null()).output(as_list=True) == [
        shop["medical"], shop["office"]
    ]
    await move(shop["masks"], shop["office"])
    assert (await paths())[level] == f"/{shop['office']}/{shop['masks']}/{level}/"


@pytest.mark.skipif(not is_sqlite(), reason="a SQLite setting")
async def test_sqlite_does_not_fire_a_trigger_from_its_own_body():
    # The SQLite triggers rewrite the rows of their own table and rely on this to not run again.
    [row] = await Category.raw("PRAGMA recursive_triggers")
    assert list(row.values()) == [0]


# --- the migration ------------------------------------------------------------------------------


async def test_the_migration_repairs_existing_paths_and_stops_on_a_cycle(shop):
    manager = await MIGRATION.forwards()
    await manager.run(backwards=True)
    restored = False
    try:
        # given paths gone wrong while nothing kept them right
        await Category.update({Category.path: ""}).where(Category.id == shop["masks"])
        await Category.update({Category.parent: shop["medical"]}).where(Category.id == shop["protective"])
        # and a cycle of two categories, with one more below them
        first, second = await a_category("First"), await a_category("Second")
        below = await a_category("Below", second)
        await move(first, second)
        await move(second, first)
        # when the migration runs, it names the categories it cannot place and changes nothing
        with pytest.raises(RuntimeError, match=f"categories {first}, {second}, {below} are in a cycle"):
            await manager.run()
        assert (await paths())[shop["masks"]] == ""
        # once the cycle is broken, it goes through and every path is derived from the parents
        await move(first, None)
        await manager.run()
        restored = True
        stored = await paths()
        assert stored[shop["protective"]] == f"/{shop['medical']}/{shop['protective']}/"
        assert stored[shop["masks"]] == f"/{shop['medical']}/{shop['protective']}/{shop['masks']}/"
        assert stored[below] == f"/{first}/{second}/{below}/"
        with pytest.raises(INTEGRITY_ERRORS, match="category_parent_cycle"):
            await move(first, below)
    finally:
        if not restored:  # the other tests need the triggers back, whatever failed above
            await Category.update({Category.parent: None}).where(Category.id.is_not_null())
            await manager.run()


# --- piccolo-admin ------------------------------------------------------------------------------


async def back_office(browser, email):
    """An operator's session in piccolo-admin, with the CSRF header its API wants on writes."""
    session = await browser(email)
    assert (await session.get("/admin/api/tables/")).status_code == 200  # sets piccolo-admin's csrftoken cookie
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


async def test_a_category_made_in_the_back_office_under_a_denied_one_hides_its_products(world, api, browser, shop):
    # given an operator in the back office
    session = await back_office(browser, world.operator)
    # when they add "Gauze" under Medical (the form sends an empty path) and a vendor's product lands in it
    made = await session.post("/admin/api/tables/category/",
                              json={"name": "Gauze", "parent": shop["medical"], "path": ""})
    assert made.status_code == 201, made.text
    [gauze] = await Category.select(Category.id).where(Category.name == "Gauze").output(as_list=True)
    assert (await paths())[gauze] == f"/{shop['medical']}/{gauze}/"
    product = await a_product("Gauze roll", category=gauze)
    await a_listing(world.vendor.id, product, "GZ-1")
    # then the buyer whose segment denies Medical cannot find or open it
    assert await visible(await api(world.purchaser), product) == (False, False)


async def test_the_back_office_moves_a_subtree_and_refuses_a_cycle(world, api, browser, shop):
    session = await back_office(browser, world.operator)
    buyer = await api(world.purchaser)
    # when an operator moves Protective under Medical in the edit form
    moved = await session.patch(f"/admin/api/tables/category/{shop['protective']}/",
                                json={"parent": shop["medical"]})
    assert moved.status_code == 200, moved.text
    # then the mask in Masks below it is denied too
    assert (await paths())[shop["masks"]] == f"/{shop['medical']}/{shop['protective']}/{shop['masks']}/"
    assert await visible(buyer, shop["mask"]) == (False, False)
    # and placing Medical under Masks is refused with the reason, changing nothing
    before = await paths()
    refused = await session.patch(f"/admin/api/tables/category/{shop['medical']}/", json={"parent": shop["masks"]})
    assert refused.status_code == 422, refused.text
    assert "category_parent_cycle" in refused.text
    assert await paths() == before
