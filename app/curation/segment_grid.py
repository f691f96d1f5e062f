"""The operators' segments page as a grid: every segment with its rules and member companies, sorted (by the number
of rules or members too), searched, filtered and paged in SQL, and exported."""

from __future__ import annotations

from piccolo.querystring import QueryString

from app import grids
from app.catalog.tables import Segment, SegmentMember, SegmentRule
from app.curation.schemas import SegmentOut
from app.curation.segments import with_details
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState

WITH, WITHOUT = "with", "without"
EXPORT_HEADER = ("Segment", "Description", "Rules", "Members", "Rule list", "Member companies")
_RULES = QueryString("(SELECT COUNT(*) FROM segment_rule WHERE segment_rule.segment = segment.id)")
_MEMBERS = QueryString("(SELECT COUNT(*) FROM segment_member WHERE segment_member.segment = segment.id)")

SEGMENT_GRID = GridSpec(
    path="/operator/curation/segments",
    columns=(GridColumn("name", "Segment"), GridColumn("description", "Description"), GridColumn("rules", "Rules"),
             GridColumn("members", "Members")),
    default_sort="name", search_label="Name or description",
    filters=(GridFilter("has_rules", "Rules", ((WITH, "with rules"), (WITHOUT, "without rules"))),
             GridFilter("has_members", "Members", ((WITH, "with members"), (WITHOUT, "without members")))),
    per_page=25, export_name="segments",
)
_ORDER = {"name": (Segment.name,), "description": (Segment.description,), "rules": (_RULES,),
          "members": (_MEMBERS,)}


async def segment_grid(state: GridState) -> GridPage:
    """The segments the grid's state selects, in its order, with their rules and members."""
    query, count = Segment.select(Segment.id, Segment.name, Segment.description), Segment.count()
    conditions = [grids.search((Segment.name, Segment.description), state.q)]
    for key, table, column in (("has_rules", SegmentRule, SegmentRule.segment),
                               ("has_members", SegmentMember, SegmentMember.segment)):
        if state.filter(key):
            holding = [row["segment"] for row in await table.select(column).distinct()]
            condition = Segment.id.is_in(holding or [-1])
            conditions.append(condition if state.filter(key) == WITH else Segment.id.not_in(holding or [-1]))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, Segment.id), state)
    return state.page_of(await with_details(rows), await count)


def export_row(segment: SegmentOut) -> tuple[object, ...]:
    rules = "; ".join(f"{rule.effect} {rule.target} {rule.target_name}" for rule in segment.rules)
    members = "; ".join(member.company_name for member in segment.members)
    return (segment.name, segment.description, len(segment.rules), len(segment.members), rules, members)
