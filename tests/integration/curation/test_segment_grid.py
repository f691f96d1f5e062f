"""The operators' segments page is a grid: every segment with its rules and members, sorted by name, description,
number of rules or members, searched, filtered, paged in SQL and exported; only operators see it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.support.catalog import a_category, a_segment
from tests.support.fixtures import csrf_token
from tests.support.pages import main_of

PATH = "/operator/curation/segments"


@pytest.fixture
async def segments(world):
    medical, office = await a_category("Medical"), await a_category("Office")
    return {
        "schools": await a_segment("Schools", members=[world.buyer.id],
                                   rules=[("deny", "category", medical), ("deny", "category", office)]),
        "clinics": await a_segment("Clinics", members=[world.other_buyer.id], rules=[("allow", "category", medical)]),
        "empty": await a_segment("Empty"),
    }


def rows_of(html: str, *names: str) -> list[int]:
    return [main_of(html).index(f'">{name}</th>') for name in names]


async def test_an_operator_sorts_searches_and_filters_segments(world, browser, segments):
    session = await browser(world.operator)
    by_name = (await session.get(PATH)).text
    assert rows_of(by_name, "Clinics", "Empty", "Schools") == sorted(rows_of(by_name, "Clinics", "Empty", "Schools"))
    assert "deny category #" in by_name and world.buyer.name in by_name
    most_rules = (await session.get(f"{PATH}?sort=-rules")).text
    assert rows_of(most_rules, "Schools", "Clinics", "Empty") == sorted(
        rows_of(most_rules, "Schools", "Clinics", "Empty"))
    fewest_members = (await session.get(f"{PATH}?sort=members")).text
    assert rows_of(fewest_members, "Empty", "Clinics") == sorted(rows_of(fewest_members, "Empty", "Clinics"))
    assert (await session.get(f"{PATH}?sort=-description")).status_code == 200
    searched = main_of((await session.get(f"{PATH}?q=school")).text)
    assert ">Schools</th>" in searched and ">Clinics</th>" not in searched
    bare = main_of((await session.get(f"{PATH}?has_rules=without")).text)
    assert ">Empty</th>" in bare and ">Schools</th>" not in bare
    peopled = main_of((await session.get(f"{PATH}?has_members=with")).text)
    assert ">Empty</th>" not in peopled and ">Schools</th>" in peopled and ">Clinics</th>" in peopled


async def test_rules_are_still_added_and_removed_from_the_grid(world, browser, segments):
    session = await browser(world.operator)
    page = await session.get(f"{PATH}?q=empty")
    added = await session.post(f"{PATH}/{segments['empty']}/rules", data={
        "effect": "allow", "target": "vendor", "target_id": str(world.vendor.id), "_csrf_token": csrf_token(page.text)})
    assert added.status_code == 303
    after = await session.get(f"{PATH}?q=empty")
    assert f"allow vendor #{world.vendor.id} {world.vendor.name}" in after.text
    bad = await session.post(f"{PATH}/{segments['empty']}/rules", data={
        "effect": "allow", "target": "vendor", "target_id": "x", "_csrf_token": csrf_token(page.text)})
    assert bad.status_code == 400 and ">Schools</th>" in bad.text


async def test_the_export_is_the_selection_neutralized(world, api, browser, segments):
    await (await api(world.operator)).post("/api/v1/segments", json={"name": "-2+3", "description": "=1+1"})
    session = await browser(world.operator)
    xlsx = await session.get(f"{PATH}/export.xlsx?sort=-rules")
    assert xlsx.status_code == 200 and 'filename="segments.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Segment", "Description", "Rules", "Members", "Rule list", "Member companies")
    assert (rows[1][0], rows[1][2], rows[1][3]) == ("Schools", 2, 1)
    assert rows[1][4] == "deny category Medical; deny category Office"
    assert [row[:4] for row in rows if row[0] == "'-2+3"] == [("'-2+3", "'=1+1", 0, 0)]
    text = (await session.get(f"{PATH}/export.csv?q=clinic")).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["Segment", "Clinics"]


async def test_only_operators_see_segments(world, browser):
    for user in (world.buyer_admin, world.vendor_admin):
        session = await browser(user)
        assert (await session.get(PATH)).status_code == 403
        assert (await session.get(f"{PATH}/export.csv")).status_code == 403


@pytest.mark.parametrize("query", ["sort=id", "sort=%2Bname", "page=0", "page=1;", "has_rules=maybe",
                                   "has_members=1", "q=" + "s" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, query):
    session = await browser(world.operator)
    for path in (PATH, f"{PATH}/export.csv"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
