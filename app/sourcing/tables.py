"""Award scenarios as stored: what the buyer asked (preset, constraints) and what the solver answered."""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from app.money import money_column
from app.rfq.tables import Rfq

__all__ = ["AwardScenario", "ScoringWeights"]


class AwardScenario(Table, tablename="award_scenario"):
    """A named award plan for a closed RFQ, solved when it was saved (a derived analysis: it goes with its RFQ)."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, null=False)
    preset = Varchar(length=30, null=False)
    constraints = JSON(default="[]", help_text="The buyer's constraints, as the API takes them")
    result = JSON(default="{}", help_text="The plan, its figures and the offer revisions it was solved on")
    status = Varchar(length=20, null=False, help_text="optimal, best_found, infeasible or no_plan")
    total = money_column(null=True, default=None)
    solve_ms = Integer(null=False, default=0)
    created_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(null=False)


class ScoringWeights(Table, tablename="scoring_weights"):
    """The buyer's weights for scoring an RFQ's offers: whole percentages adding up to 100 (one row per RFQ; none
    means the default weights, app/sourcing/scoring.py)."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, unique=True)
    price = Integer(null=False)
    lead_time = Integer(null=False)
    vendor_rating = Integer(null=False)
    payment_terms = Integer(null=False)
    updated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(null=False)
