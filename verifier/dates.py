"""Dates as credentials write them (XML Schema dateTime, JWT NumericDate) and the clock."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from verifier.errors import MalformedDocument

_DATETIME = re.compile(
    r"^(?P<date>-?\d{4,}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?P<frac>\.\d+)?"
    r"(?P<tz>[Zz]|[+-]\d{2}:\d{2})?$"
)


def parse_datetime(value: object, *, field: str) -> datetime:
    """Parse an XML Schema ``dateTime`` into an aware datetime (no zone means UTC)."""
    if not isinstance(value, str):
        raise MalformedDocument(f"The {field} date is not a text value.")
    m = _DATETIME.match(value.strip())
    if not m:
        raise MalformedDocument(f"The {field} date {value!r} is not a valid date and time.")
    frac = (m.group("frac") or "")[:7]
    tz = m.group("tz") or "Z"
    text = f"{m.group('date')}T{m.group('time')}{frac}{'+00:00' if tz in 'Zz' else tz}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MalformedDocument(f"The {field} date {value!r} is not a real date.") from exc
    return parsed.astimezone(UTC)


def from_numeric_date(value: object, *, field: str) -> datetime:
    """The aware UTC datetime of a JWT NumericDate (RFC 7519 §2, seconds since the epoch)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedDocument(f"The JWT claim {field} is not a number of seconds.")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedDocument(f"The JWT claim {field} is not a representable date.") from None


def resolve_now(now: datetime | None) -> datetime:
    """The verification time: the caller's aware ``now``, or the current UTC time."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def human(moment: datetime) -> str:
    """A date for a sentence: ``2026-11-25 14:03 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
