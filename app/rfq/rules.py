"""Pure rules of an RFQ's content and timing: lines, auction settings, deadlines (when bidding is open, when it is
over), reminders. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.clock import as_utc, format_moment
from app.errors import Conflict
from app.locales import ANYWHERE, Place
from app.money import DECIMAL_PLACES, MoneyError, parse_amount, to_minor
from app.rfq.states import BiddingMode, RfqStatus, Visibility, accepts_offers

MAX_LINES = 200
MAX_TITLE = 200
MAX_UNIT = 20
# Bounds of the rest of an RFQ's text and lists (the API's schemas and the pages' forms read them from here).
MAX_DESCRIPTION = 20_000
MAX_LINE_TEXT = 5_000  # a line's description and notes; longer specifications are attachments
MAX_ADDRESS = 2_000
MAX_INVITED = 500  # vendor ids invited in one request
MAX_QUANTITY = 1_000_000_000  # a line's quantity: far past any order, well inside the column's 32 bits
# Bidding open for longer than this is a typo (the year 9999), not a plan. Two years of 366 days, so the same
# date two years on is always within reach.
MAX_DEADLINE_AHEAD = timedelta(days=2 * 366)
# dramatiq's Redis broker refuses delays of 7 days or more; stay well inside.
MAX_MESSAGE_DELAY = timedelta(days=6)
REMIND_BEFORE = timedelta(hours=24)
# A delayed message may arrive a moment early by the database's clock: aim a little late.
CLOSE_SLACK = timedelta(seconds=1)


class RuleError(ValueError):
    """Input that breaks a rule; the message says what to fix."""


NUMBER_PREFIX = "RFQ"


def format_number(year: int, sequence: int) -> str:
    """RFQ-2026-000012: the year the RFQ was made and a per-year sequence; what users see and quote."""
    if sequence < 1:
        raise RuleError("an RFQ sequence starts at 1")
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:06d}"


@dataclass(frozen=True, slots=True)
class LineDraft:
    """A checked RFQ line, money already in minor units."""

    position: int
    product_id: int | None
    description: str
    quantity: int
    unit: str
    target_price: int | None
    notes: str


@dataclass(frozen=True, slots=True)
class AuctionDraft:
    min_decrement: int | None
    show_best_price: bool
    anti_snipe_minutes: int
    max_extension_minutes: int


def price_problem(raw: str | None) -> str | None:
    """What is wrong with a typed price, in the buyer's words ("must not be negative"); None when it is fine or
    blank. A price is a decimal amount, not negative, with at most four decimals."""
    if raw is None or not str(raw).strip():
        return None
    try:
        amount = parse_amount(raw)
    except MoneyError:
        return "is not a decimal amount: write it like 12.50"
    if amount < 0:
        return "must not be negative"
    if amount and amount.adjusted() > 20:  # far past any price; checked before scaling, which would overflow
        return "is too large"
    scaled = amount.scaleb(DECIMAL_PLACES)
    if amount.adjusted() < -DECIMAL_PLACES or scaled != scaled.to_integral_value():
        return f"has more than {DECIMAL_PLACES} decimal places"
    try:
        to_minor(amount)
    except MoneyError:
        return "is too large"
    return None


def parse_price(raw: str | None, what: str) -> int | None:
    """A non-negative decimal string with at most four decimals, in minor units; None when blank."""
    problem = price_problem(raw)
    if problem:
        raise RuleError(f"{what} {problem}")
    if raw is None or not str(raw).strip():
        return None
    return to_minor(parse_amount(raw))


def line_problems(
    *, product_id: int | None, description: str, quantity: int, unit: str, target_price: str | None
) -> dict[str, str]:
    """What is wrong with one line, by its field (description, quantity, unit, target_price), in the buyer's words:
    every problem at once, so a page shows each by its field. Empty when the line is fine."""
    problems = {}
    if product_id is None and not (description or "").strip():
        problems["description"] = "give a catalog product or a description of what you need"
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        problems["quantity"] = "must be a whole number of at least 1"
    elif quantity > MAX_QUANTITY:
        problems["quantity"] = f"must be at most {MAX_QUANTITY:,}"
    if len((unit or "pcs").strip()) > MAX_UNIT:
        problems["unit"] = f"must be at most {MAX_UNIT} characters"
    price = price_problem(target_price)
    if price:
        problems["target_price"] = price
    return problems


def check_line(
    position: int,
    *,
    product_id: int | None,
    description: str,
    quantity: int,
    unit: str,
    target_price: str | None,
    notes: str,
    product_name: str | None = None,
) -> LineDraft:
    """One line: a catalog product or a free-text specification, a whole quantity of at least 1; the first of its
    `line_problems` is a RuleError naming the line and the field."""
    where = f"line {position}"
    problems = line_problems(product_id=product_id, description=description, quantity=quantity, unit=unit,
                             target_price=target_price)
    for field, problem in problems.items():
        raise RuleError(f"{where}: {problem}" if field == "description" else f"{where}: {field} {problem}")
    text = (description or "").strip()
    return LineDraft(
        position=position,
        product_id=product_id,
        description=text or (product_name or ""),
        quantity=quantity,
        unit=(unit or "pcs").strip(),
        target_price=parse_price(target_price, f"{where}: target_price"),
        notes=(notes or "").strip(),
    )


def check_line_count(count: int) -> None:
    if count > MAX_LINES:
        raise RuleError(f"an RFQ has at most {MAX_LINES} lines")


def auction_problems(
    *, min_decrement: str | None, anti_snipe_minutes: int, max_extension_minutes: int
) -> dict[str, str]:
    """What is wrong with a reverse auction's settings, by field, in the buyer's words; empty when they are fine."""
    problems = {}
    decrement = price_problem(min_decrement)
    if decrement is None and (min_decrement is None or parse_amount(min_decrement) <= 0):
        decrement = "must be a positive amount such as 0.50"
    if decrement:
        problems["min_decrement"] = decrement
    if anti_snipe_minutes < 0 or anti_snipe_minutes > 60:
        problems["anti_snipe_minutes"] = "must be between 0 and 60"
    if max_extension_minutes < 0 or max_extension_minutes > 24 * 60:
        problems["max_extension_minutes"] = "must be between 0 and 1440"
    elif anti_snipe_minutes and max_extension_minutes < anti_snipe_minutes:
        problems["max_extension_minutes"] = "must be at least the anti-sniping minutes"
    return problems


def check_auction(
    mode: BiddingMode,
    *,
    min_decrement: str | None,
    show_best_price: bool,
    anti_snipe_minutes: int,
    max_extension_minutes: int,
) -> AuctionDraft:
    """Auction settings; a sealed RFQ keeps none. The first of the `auction_problems` is a RuleError."""
    if mode is BiddingMode.SEALED:
        return AuctionDraft(None, False, 0, 0)
    problems = auction_problems(min_decrement=min_decrement, anti_snipe_minutes=anti_snipe_minutes,
                                max_extension_minutes=max_extension_minutes)
    for field, problem in problems.items():
        raise RuleError(f"auction {field} {problem}")
    return AuctionDraft(parse_price(min_decrement, "auction min_decrement"), bool(show_best_price),
                        anti_snipe_minutes, max_extension_minutes)


def check_deadline(deadline: datetime, now: datetime) -> None:
    """A deadline is an aware moment in the future (by the database's clock)."""
    if deadline.tzinfo is None or deadline.utcoffset() is None:
        raise RuleError("deadline must include a time zone, for example 2027-01-31T17:00:00+01:00")
    if bidding_over(deadline, now):
        raise RuleError("deadline must be in the future")


def publish_gaps(
    *, line_count: int, visibility: Visibility, invited_count: int, deadline: datetime, now: datetime
) -> list[str]:
    """What a draft still needs before it can be published, each said in the buyer's words; empty when nothing.
    The one publish rule: publishing refuses with these, and the draft's page lists them."""
    gaps = []
    if line_count < 1:
        gaps.append("add at least one line")
    if visibility is Visibility.INVITED and invited_count < 1:
        gaps.append("invite at least one vendor, or make it open to every eligible vendor")
    if bidding_over(deadline, now):
        gaps.append("set a deadline in the future: this one has passed")
    return gaps


def check_deadline_horizon(deadline: datetime, now: datetime, place: Place = ANYWHERE) -> None:
    """A deadline (a new one or an extension) at most MAX_DEADLINE_AHEAD after `now`. Compared as aware moments,
    never converted, so the year 9999 in any offset is refused rather than overflowing. The refusal names the
    latest moment in the reader's zone (`place`)."""
    latest = as_utc(now) + MAX_DEADLINE_AHEAD
    if _aware(deadline) > latest:
        raise RuleError(
            f"deadline must be at most {MAX_DEADLINE_AHEAD.days // 366} years ahead: "
            f"at the latest {format_moment(latest, place.time_zone, place.locale)}"
        )


def bidding_over(deadline: datetime, now: datetime) -> bool:
    """Bidding ends at the deadline itself: an offer stamped at the deadline is late. The closing job asks the
    same in SQL (`deadline <= now`, app/rfq/deadlines.py). Compared as aware moments (a naive one is UTC), not
    converted: a moment at the calendar's edge (the year 1 at +14:00) cannot be converted to UTC."""
    return _aware(now) >= _aware(deadline)


def _aware(moment: datetime) -> datetime:
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def check_bidding_open(status: RfqStatus, deadline: datetime, now: datetime, place: Place = ANYWHERE) -> None:
    """409 unless the RFQ is published and `now` (the database's clock) is before its deadline; the refusal names
    the deadline in the reader's zone (`place`)."""
    deadline = as_utc(deadline)
    if status is RfqStatus.CANCELLED:
        raise Conflict("This RFQ was cancelled: it takes no offers.")
    if not accepts_offers(status) or bidding_over(deadline, now):
        raise Conflict(f"Bidding closed at {format_moment(deadline, place.time_zone, place.locale, seconds=True)}: "
                       "no more offers, revisions or withdrawals.")



def check_extension(current: datetime, requested: datetime, now: datetime, place: Place = ANYWHERE) -> None:
    """An extension moves the deadline later, never earlier, and only while bidding is still open."""
    if bidding_over(current, now):
        raise RuleError("the deadline has already passed; bidding is over and can no longer be extended")
    if requested <= current:
        raise RuleError(
            "a deadline can only be extended, never shortened: choose a moment after "
            f"{format_moment(current, place.time_zone, place.locale)}"
        )


def close_delay(deadline: datetime, now: datetime) -> timedelta | None:
    """How long to delay the closing message, or None when the deadline is too far out for the broker
    (the sweeper schedules it once it comes within range)."""
    delay = max(deadline - now, timedelta(0)) + CLOSE_SLACK
    return delay if delay < MAX_MESSAGE_DELAY else None


def reminder_due(deadline: datetime, now: datetime) -> bool:
    """Unanswered vendors are reminded once, within the last 24 hours before the deadline."""
    return now < deadline <= now + REMIND_BEFORE


def open_rfq_meant_for(
    rfq_paths: set[str], vendor_paths: set[str], vendor_has_listing: bool, *, buyer_sees_vendor: bool
) -> bool:
    """Whether an `open` RFQ reaches a vendor (the semantics of access.eligible_vendor_ids, in memory): a vendor
    the buyer's segment may see (catalog.visibility.is_vendor_visible) with an approved listing in one of the
    RFQ's categories or below; any approved listing for free text."""
    if not vendor_has_listing or not buyer_sees_vendor:
        return False
    if not rfq_paths:
        return True
    return any(vendor_path.startswith(path) for path in rfq_paths for vendor_path in vendor_paths)

