"""The portfolio list as SQL: sorting, filters and pages, within one learner.

Everything is decided in the database; only the rows of the page asked for reach Python, and
only the light columns a card needs (never ``original``, ``report`` or an embedded image). The
filters over JSON columns (skills, the description, credential types) are built by
:mod:`wallet.portfolio.search`, which also says what they cannot do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from wallet.models import OUTCOMES, Credential
from wallet.portfolio.search import json_contains, search_condition, skill_condition

PER_PAGE = 24
MAX_TERM = 200
#: Sort keys, the default first.
SORTS = ("imported", "issued", "title", "issuer", "ects")
#: Kinds of credential the type filter offers.
KINDS = ("open_badge", "edc", "clr", "other")
#: Types that mark each kind (the ``types`` column holds the credential's ``type`` list).
KIND_TYPES = {
    "clr": ("ClrCredential",),
    "edc": ("EuropeanDigitalCredential",),
    "open_badge": ("OpenBadgeCredential", "AchievementCredential"),
}
#: Format prefixes that mark a kind whatever the types say (``verifier`` report formats).
KIND_FORMATS = {"edc": "edc_", "open_badge": "ob2_"}
#: How much of the image column a card reads: an https URL, or the head of a data: URI.
IMAGE_PREFIX = 2048


@dataclass(frozen=True)
class Filters:
    """What the learner asked for in the query string, with unknown values dropped."""

    sort: str = SORTS[0]
    issuer: str = ""
    kind: str = ""
    status: str = ""
    skill: str = ""
    year: int | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the query string; values that are not offered are ignored."""
        year = args.get("year", "")
        page = args.get("page", "")
        return cls(
            sort=args.get("sort") if args.get("sort") in SORTS else SORTS[0],
            issuer=args.get("issuer", "").strip()[:500],
            kind=args.get("type") if args.get("type") in KINDS else "",
            status=args.get("status") if args.get("status") in OUTCOMES else "",
            skill=args.get("skill", "").strip()[:MAX_TERM],
            year=int(year) if year.isdigit() and 1 <= int(year) <= 9998 else None,
            q=args.get("q", "").strip()[:MAX_TERM],
            page=max(int(page), 1) if page.isdigit() and len(page) < 7 else 1,
        )

    @property
    def scans(self) -> bool:
        """Whether a filter reads the JSON columns of every row (no index can answer it)."""
        return bool(self.kind or self.skill or self.q)

    @property
    def active(self) -> bool:
        """Whether any filter or search narrows the list."""
        return bool(self.issuer or self.kind or self.status or self.skill or self.year or self.q)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string for these filters with ``changes``, leaving out defaults."""
        f = replace(self, **changes)
        out = {
            "q": f.q,
            "issuer": f.issuer,
            "type": f.kind,
            "status": f.status,
            "skill": f.skill,
            "year": f.year or "",
            "sort": "" if f.sort == SORTS[0] else f.sort,
            "page": "" if f.page == 1 else f.page,
        }
        return {k: v for k, v in out.items() if v != ""}


@dataclass(frozen=True)
class Page:
    """One page of the list: its rows, the number of matches, and where it sits."""

    rows: list[Any]
    total: int
    number: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least one)."""
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based; 0 when there is none)."""
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The position of the last row shown."""
        return self.first + len(self.rows) - 1 if self.rows else 0


def kind_condition(kind: str, dialect: str) -> ColumnElement[bool]:
    """The SQL condition for one kind of credential (CLR, then EDC, then Open Badge, else other)."""
    marks = {
        k: or_(
            *(json_contains(Credential.types, json.dumps(t), dialect) for t in KIND_TYPES[k]),
            *([Credential.format.like(f"{KIND_FORMATS[k]}%")] if k in KIND_FORMATS else []),
        )
        for k in KIND_TYPES
    }
    if kind == "clr":
        return marks["clr"]
    if kind == "edc":
        return and_(marks["edc"], not_(marks["clr"]))
    if kind == "open_badge":
        return and_(marks["open_badge"], not_(marks["clr"]), not_(marks["edc"]))
    return not_(or_(*marks.values()))


def kind_of(fmt: str, types: list[str] | None) -> str:
    """The kind of a credential, by the same rule as :func:`kind_condition`."""
    held = set(types or ())
    for kind in ("clr", "edc", "open_badge"):
        prefix = KIND_FORMATS.get(kind)
        if held & set(KIND_TYPES[kind]) or (prefix and fmt.startswith(prefix)):
            return kind
    return "other"


def conditions(user_id: int, f: Filters, dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE clause of the list: the learner's own credentials, narrowed by ``f``."""
    where: list[ColumnElement[bool]] = [Credential.user_id == user_id]
    if f.issuer:
        where.append(Credential.issuer_name == f.issuer)
    if f.status:
        where.append(Credential.outcome == f.status)
    if f.year:
        start = datetime(f.year, 1, 1, tzinfo=UTC)
        end = start.replace(year=f.year + 1)
        where += [Credential.issued_at >= start, Credential.issued_at < end]
    if f.kind:
        where.append(kind_condition(f.kind, dialect))
    if f.skill:
        where.append(skill_condition(f.skill, dialect))
    if f.q:
        where.append(search_condition(f.q, dialect))
    return where


def ordering(sort: str) -> list[Any]:
    """ORDER BY for a sort key; the id last, so pages never overlap."""
    if sort == "issued":
        keys = [Credential.issued_at.desc().nulls_last()]
    elif sort == "title":
        keys = [func.lower(Credential.title)]
    elif sort == "issuer":
        keys = [func.lower(Credential.issuer_name).nulls_last(), func.lower(Credential.title)]
    elif sort == "ects":
        keys = [Credential.ects.desc().nulls_last(), func.lower(Credential.title)]
    else:
        keys = [Credential.imported_at.desc()]
    return [*keys, Credential.id.desc()]


def card_columns() -> list[Any]:
    """The columns a card needs; of the image only its start (enough for its kind or URL)."""
    return [
        Credential.id,
        Credential.title,
        Credential.issuer_name,
        Credential.issued_at,
        Credential.ects,
        Credential.outcome,
        Credential.format,
        Credential.types,
        func.substr(Credential.image, 1, IMAGE_PREFIX).label("image"),
        Credential.summary["title"].label("title_map"),
        Credential.summary[("issuer", "name")].label("issuer_map"),
    ]


def list_query(user_id: int, f: Filters, dialect: str) -> Select[Any]:
    """The SELECT for one page of cards.

    It runs in two steps: the page's ids are chosen first, sorting only ids and sort keys; only
    then are the cards' columns read, for those ids alone (sorting whole rows would read every
    summary). When a filter has to read every row anyway, the same pass counts the matches
    (a window count, ``total`` on each row); otherwise the index counts them apart, cheaply.
    """
    counted = [func.count().over().label("total")] if f.scans else []
    ids = (
        select(Credential.id, *counted)
        .where(*conditions(user_id, f, dialect))
        .order_by(*ordering(f.sort))
        .limit(PER_PAGE)
        .offset((f.page - 1) * PER_PAGE)
        .subquery("page")
    )
    return (
        select(*card_columns(), *([ids.c.total] if counted else []))
        .join(ids, Credential.id == ids.c.id)
        .order_by(*ordering(f.sort))
    )


def count_query(user_id: int, f: Filters, dialect: str) -> Select[Any]:
    """The SELECT that counts every match (on an index when only indexed columns filter)."""
    return select(func.count(Credential.id)).where(*conditions(user_id, f, dialect))


def issuers_query(user_id: int) -> Select[Any]:
    """The learner's distinct issuer names, for the issuer filter (read from the index)."""
    return (
        select(Credential.issuer_name)
        .where(Credential.user_id == user_id, Credential.issuer_name.is_not(None))
        .distinct()
        .order_by(Credential.issuer_name)
        .limit(500)
    )


def years_query(user_id: int) -> Select[Any]:
    """The earliest and latest issue dates, for the year filter (two index lookups)."""
    return select(func.min(Credential.issued_at), func.max(Credential.issued_at)).where(
        Credential.user_id == user_id
    )


def fetch(session: Session, user_id: int, f: Filters) -> Page:
    """One page of cards and the number of matches."""
    dialect = session.get_bind().dialect.name
    rows = list(session.execute(list_query(user_id, f, dialect)).all())
    if rows and f.scans:
        return Page(rows, rows[0].total, f.page)
    if f.page == 1 and len(rows) < PER_PAGE:
        return Page(rows, len(rows), f.page)
    return Page(rows, session.scalar(count_query(user_id, f, dialect)) or 0, f.page)


def has_any(session: Session, user_id: int) -> bool:
    """Whether the learner holds any credential at all."""
    found = session.scalar(select(Credential.id).where(Credential.user_id == user_id).limit(1))
    return found is not None
