"""Tables, columns, constraints and enum types of one database schema (one dialect)."""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

from undertow.analyzers.facts.codec import DecodedMapping

_FAMILIES = [
    ("integer", r"^(big|small|tiny|medium)?int(eger)?\d*$|^(big|small)?serial\d*$|^int[248]$"),
    ("bool", r"^bool(ean)?$"),
    ("timestamp", r"^(timestamp(tz)?|datetime\d*)( with(out)? time zone)?$"),
    ("date", r"^date$"),
    ("time", r"^time(tz)?( with(out)? time zone)?$"),
    ("interval", r"^interval$"),
    ("json", r"^jsonb?$"),
    ("uuid", r"^uuid$|^guid$"),
    ("numeric", r"^(numeric|decimal|float\d*|double( precision)?|real|money)$"),
    ("bytes", r"^(bytea|blob|(var)?binary|largebinary|longblob)$"),
    (
        "text",
        r"^(text|(n)?varchar\d*|(n)?char(acter)?( varying)?|string|unicode(text)?|citext|clob"
        r"|tinytext|mediumtext|longtext|enum)$",
    ),
    ("array", r"^array$|\[\]$"),
]
# SQLAlchemy / SQLModel / Python type names → SQL type names.
PYTHON_TYPES = {
    "int": "integer",
    "str": "text",
    "bool": "boolean",
    "float": "float",
    "bytes": "bytea",
    "datetime": "timestamp",
    "date": "date",
    "time": "time",
    "timedelta": "interval",
    "Decimal": "numeric",
    "UUID": "uuid",
    "uuid": "uuid",
    "dict": "json",
    "list": "json",
    "Integer": "integer",
    "BigInteger": "bigint",
    "SmallInteger": "smallint",
    "String": "varchar",
    "Text": "text",
    "Unicode": "varchar",
    "UnicodeText": "text",
    "Boolean": "boolean",
    "DateTime": "timestamp",
    "Date": "date",
    "Time": "time",
    "Interval": "interval",
    "Float": "float",
    "Numeric": "numeric",
    "DECIMAL": "numeric",
    "JSON": "json",
    "JSONB": "jsonb",
    "Uuid": "uuid",
    "LargeBinary": "bytea",
    "Enum": "enum",
    "ARRAY": "array",
    "TIMESTAMP": "timestamp",
    "VARCHAR": "varchar",
    "CHAR": "char",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "AutoString": "varchar",
    "Double": "float",
    "REAL": "real",
}


def type_family(type_name: str) -> str:
    name = type_name.strip().lower()
    opening, closing = name.find("("), name.rfind(")")
    if 0 <= opening < closing:  # VARCHAR(20), NUMERIC(10, 2): the arguments do not change the family
        name = name[:opening] + name[closing + 1 :]
    name = name.strip()
    for family, pattern in _FAMILIES:
        if re.search(pattern, name):
            return family
    return "other"


@dataclass
class Column:
    name: str
    type: str = ""
    nullable: bool = True
    has_default: bool = False
    # values a CHECK (col IN (...)) or an enum type allows; None when unconstrained
    allowed: list[str] | None = None
    enum_type: str | None = None

    @property
    def family(self) -> str:
        return type_family(self.type) if self.type else "other"


@dataclass
class Table:
    name: str
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    # name (or "" when unnamed) and columns of unique constraints and unique indexes
    uniques: list[tuple[str, list[str]]] = field(default_factory=list)
    indexes: dict[str, list[str]] = field(default_factory=dict)
    constraints: list[str] = field(default_factory=list)  # every named constraint
    # Unique indexes with a WHERE clause: unique only among the rows it selects (an upsert must
    # name the predicate: ON CONFLICT (...) WHERE ...).
    partial_uniques: list[str] = field(default_factory=list)
    created_in: str = ""
    # A table the migrations only reference (ALTER, foreign keys...) and never create: it exists
    # (create_all(), a schema dump), but its full list of columns is unknown.
    partial: bool = False
    # A partial table whose column names are all known, though not every column's type,
    # nullability or default (a column added by SQL built at run time, its name written out):
    # raw SQL naming a column can be checked against it (SCH007), nothing else.
    names_known: bool = False


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    # Schemas (namespaces) the migrations create (`CREATE SCHEMA x`, `CREATE TABLE x.t`): a
    # table qualified with one of them is looked up; one qualified with another is not modelled.
    namespaces: list[str] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        return self.tables.get(_bare(name))

    def to_json(self) -> dict[str, Any]:
        if isinstance(self.tables, _OverlayTables):
            return {
                "tables": self.tables.to_json(),
                "enums": {k: list(v) for k, v in self.enums.items()},
                "namespaces": list(self.namespaces),
            }
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schema:
        return cls(
            tables={name: _table_from_json(t) for name, t in data["tables"].items()},
            enums=_enums(data),
            namespaces=list(data.get("namespaces", ())),
        )

    @classmethod
    def overlay(cls, data: dict[str, Any]) -> Schema:
        """A schema to replay more migrations onto: tables are decoded when first touched, and
        ``to_json`` re-encodes only those (a new migration touches a few tables of thousands)."""
        return cls(
            tables=_OverlayTables(data["tables"]),  # type: ignore[arg-type]
            enums=_enums(data),
            namespaces=list(data.get("namespaces", ())),
        )

    @classmethod
    def read_only(cls, data: dict[str, Any]) -> Schema:
        """A schema to look tables up in, each table decoded when first asked for: a review reads
        the few tables its change touches out of thousands."""
        return cls(
            tables=_LazyTables(data["tables"]),  # type: ignore[arg-type]
            enums=data["enums"],
            namespaces=list(data.get("namespaces", ())),
        )


def _enums(data: dict[str, Any]) -> dict[str, list[str]]:
    return {k: list(v) for k, v in data["enums"].items()}


def _table_from_json(t: dict[str, Any]) -> Table:
    """A new Table that shares nothing with ``t``: replaying onto it never alters cached facts."""
    columns = {
        c: Column(**{**col, "allowed": list(col["allowed"]) if col.get("allowed") is not None else None})
        for c, col in t["columns"].items()
    }
    return Table(
        name=t["name"],
        columns=columns,
        primary_key=list(t["primary_key"]),
        uniques=[(u[0], list(u[1])) for u in t["uniques"]],
        indexes={k: list(v) for k, v in t["indexes"].items()},
        constraints=list(t["constraints"]),
        partial_uniques=list(t.get("partial_uniques", ())),
        created_in=t["created_in"],
        partial=t.get("partial", False),
        names_known=t.get("names_known", False),
    )


class _OverlayTables(MutableMapping[str, Table]):
    """Tables over a revision's cached JSON: a table is decoded (a fresh copy) when first read,
    and the ones read, written or removed are all ``to_json`` encodes again."""

    def __init__(self, raw: dict[str, dict[str, Any]]) -> None:
        self._raw = raw
        self._live: dict[str, Table] = {}
        self._removed: set[str] = set()

    def __getitem__(self, name: str) -> Table:
        if name not in self._live:
            if name in self._removed or name not in self._raw:
                raise KeyError(name)
            self._live[name] = _table_from_json(self._raw[name])
        return self._live[name]

    def __setitem__(self, name: str, table: Table) -> None:
        self._live[name] = table
        self._removed.discard(name)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._live.pop(name, None)
        self._removed.add(name)

    def __contains__(self, name: object) -> bool:
        return name in self._live or (name in self._raw and name not in self._removed)

    def __iter__(self) -> Iterator[str]:
        for name in self._raw:
            if name not in self._removed or name in self._live:
                yield name
        for name in self._live:
            if name not in self._raw:
                yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def to_json(self) -> dict[str, dict[str, Any]]:
        return {name: asdict(self._live[name]) if name in self._live else self._raw[name] for name in self}


class _LazyTables(DecodedMapping[Table]):
    def _build(self, name: str, raw: dict[str, Any]) -> Table:
        return _table_from_json(raw)


def _bare(name: str) -> str:
    """`public.videos` and `"Videos"` → `videos` (one schema namespace is modelled)."""
    return name.split(".")[-1].strip('"`[]').lower()


bare_name = _bare
