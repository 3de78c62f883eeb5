"""Which tables hold a learner's data, found from ``db.metadata`` so tables added later are
included without code changes, and how their values become JSON and back.

A table belongs to the learner when it has a foreign key to ``users.id`` (the learner's rows
are those whose key names them), or a foreign key to such a table (its rows hang off the
learner's rows), and so on. A column or a whole table is left out of backups and exports when
its ``info`` says ``{"backup": False}`` (secrets, one-time codes), e.g.::

    code_hash: Mapped[str | None] = mapped_column(String(64), info={"backup": False})
    __table_args__ = {"info": {"backup": False}}

Such a column must be nullable or have a default, since a restore leaves it unset.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

USERS = "users"
#: Columns of ``users`` a backup carries; everything else about the account stays behind:
#: the password hash and session token are secrets, the holder key travels on its own
#: (re-sealed), and the e-mail address and any role belong to the account restored into.
USER_COLUMNS = ("display_name", "locale", "created_at")
#: Columns of ``users`` never written to an export either.
USER_SECRETS = (
    "password_hash",
    "session_token",
    "holder_key_ciphertext",
    "holder_key_nonce",
    "holder_key_salt",
    "holder_key_kdf",
)


@dataclass(frozen=True)
class OwnedTable:
    """A table holding learner data: how its rows are found and which columns travel."""

    table: sa.Table
    #: Columns naming the owner (foreign keys to ``users.id``).
    owner_columns: tuple[sa.Column[Any], ...]
    #: (column, parent table name, parent column name) for foreign keys to other owned tables.
    parent_links: tuple[tuple[sa.Column[Any], str, str], ...]

    @property
    def name(self) -> str:
        """The table's name."""
        return self.table.name

    @property
    def columns(self) -> list[sa.Column[Any]]:
        """The columns carried in a backup (those not marked ``info={"backup": False}``)."""
        return [c for c in self.table.columns if c.info.get("backup", True) is not False]

    @property
    def surrogate(self) -> sa.Column[Any] | None:
        """The integer primary key the database assigns, renumbered on restore."""
        column = self.table.autoincrement_column
        return column if column is not None and not column.foreign_keys else None


def _is_users_id(fk: sa.ForeignKey) -> bool:
    return fk.column.table.name == USERS and fk.column.name == "id"


def owned_tables(metadata: sa.MetaData) -> list[OwnedTable]:
    """Every table holding learner data, parents before children (``metadata.sorted_tables``)."""
    owned: dict[str, OwnedTable] = {}
    for table in metadata.sorted_tables:
        if table.name == USERS or table.info.get("backup", True) is False:
            continue
        owners, links = [], []
        for column in table.columns:
            for fk in column.foreign_keys:
                target = fk.column.table.name
                if _is_users_id(fk):
                    owners.append(column)
                elif target in owned and target != table.name:
                    links.append((column, target, fk.column.name))
        if owners or links:
            owned[table.name] = OwnedTable(table, tuple(owners), tuple(links))
    return list(owned.values())


# -- values ------------------------------------------------------------------------------------
def python_type(column: sa.Column[Any]) -> type | None:
    """The Python type a column's values have, or ``None`` for JSON and unknown types."""
    kind: Any = column.type
    while isinstance(kind, sa.types.TypeDecorator):  # AwareDateTime, Decimal2: their impl
        kind = kind.impl_instance
    if isinstance(kind, sa.JSON):
        return None  # JSON values pass through as they are
    try:
        found: type = kind.python_type
    except NotImplementedError:
        return None
    return found


def encode(value: Any) -> Any:
    """A column value as JSON: bytes in base64, times and decimals as text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def decode(value: Any, column: sa.Column[Any]) -> Any:
    """A JSON value back as what ``column`` holds; ``ValueError`` when it cannot be."""
    if value is None:
        return None
    kind = python_type(column)
    if kind is None:
        return value
    if kind is bytes:
        return base64.b64decode(_text(value), validate=True)
    if kind is datetime:
        moment = datetime.fromisoformat(_text(value))
        if moment.tzinfo is None:
            raise ValueError(f"{column.name}: a time without a zone")
        return moment
    if kind is date:
        return date.fromisoformat(_text(value))
    if kind is time:
        return time.fromisoformat(_text(value))
    if kind is Decimal:
        try:
            return Decimal(_text(value))
        except InvalidOperation as exc:
            raise ValueError(f"{column.name}: not a decimal number") from exc
    if kind is uuid.UUID:
        return uuid.UUID(_text(value))
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{column.name}: not a boolean")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{column.name}: not a whole number")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{column.name}: not a number")
        return float(value)
    if kind is str:
        return _text(value)
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {type(value).__name__}")
    return value


# -- reading ----------------------------------------------------------------------------------
def collect_rows(
    connection: sa.Connection, user_id: int, tables: list[OwnedTable]
) -> dict[str, list[dict[str, Any]]]:
    """The learner's rows of every owned table, as JSON, each table ordered by primary key."""
    referenced = {
        (fk.column.table.name, fk.column.name)
        for owned in tables
        for column in owned.table.columns
        for fk in column.foreign_keys
    }
    found: dict[str, list[dict[str, Any]]] = {}
    keys: dict[tuple[str, str], set[Any]] = {}
    for owned in tables:
        table = owned.table
        conditions: list[sa.ColumnElement[bool]] = [c == user_id for c in owned.owner_columns]
        for column, parent, parent_column in owned.parent_links:
            values = keys.get((parent, parent_column), set())
            if values:
                conditions.append(column.in_(sorted(values, key=repr)))
        rows: list[dict[str, Any]] = []
        if conditions:
            order = list(table.primary_key.columns) or list(table.columns)
            result = connection.execute(
                sa.select(*owned.columns).where(sa.or_(*conditions)).order_by(*order)
            ).mappings()
            rows = [{k: encode(v) for k, v in row.items()} for row in result]
        found[owned.name] = rows
        # The values children may point at: any column a foreign key names.
        for column in table.columns:
            if (owned.name, column.name) in referenced:
                keys[(owned.name, column.name)] = {r.get(column.name) for r in rows} - {None}
    return found
