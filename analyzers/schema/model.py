"""Tables, columns, constraints and enum types of one database schema (one dialect)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Iterator, Mapping

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
    ("text", r"^(text|(n)?varchar\d*|(n)?char(acter)?( varying)?|string|unicode(text)?|citext|clob|tinytext|mediumtext|longtext|enum)$"),
    ("array", r"^array$|\[\]$"),
]
# SQLAlchemy / SQLModel / Python type names → SQL type names.
PYTHON_TYPES = {
    "int": "integer", "str": "text", "bool": "boolean", "float": "float", "bytes": "bytea",
    "datetime": "timestamp", "date": "date", "time": "time", "timedelta": "interval", "Decimal": "numeric",
    "UUID": "uuid", "uuid": "uuid", "dict": "json", "list": "json",
    "Integer": "integer", "BigInteger": "bigint", "SmallInteger": "smallint", "String": "varchar", "Text": "text",
    "Unicode": "varchar", "UnicodeText": "text", "Boolean": "boolean", "DateTime": "timestamp", "Date": "date",
    "Time": "time", "Interval": "interval", "Float": "float", "Numeric": "numeric", "DECIMAL": "numeric",
    "JSON": "json", "JSONB": "jsonb", "Uuid": "uuid", "LargeBinary": "bytea", "Enum": "enum", "ARRAY": "array",
    "TIMESTAMP": "timestamp", "VARCHAR": "varchar", "CHAR": "char", "INTEGER": "integer", "BIGINT": "bigint",
    "TEXT": "text", "BOOLEAN": "boolean", "AutoString": "varchar", "Double": "float", "REAL": "real",
}


def type_family(type_name: str) -> str:
    name = re.sub(r"\(.*\)", "", type_name.strip().lower()).strip()
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
    created_in: str = ""
    # A table the migrations only reference (ALTER, foreign keys...) and never create: it exists
    # (create_all(), a schema dump), but its full list of columns is unknown.
    partial: bool = False


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(_bare(name))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Schema":
        return cls(tables={name: _table_from_json(t) for name, t in data["tables"].items()}, enums=data["enums"])

    @classmethod
    def read_only(cls, data: dict) -> "Schema":
        """A schema to look tables up in, each table decoded when first asked for: a review reads
        the few tables its change touches out of thousands."""
        return cls(tables=_LazyTables(data["tables"]), enums=data["enums"])  # type: ignore[arg-type]


def _table_from_json(t: dict) -> Table:
    columns = {c: Column(**col) for c, col in t["columns"].items()}
    return Table(name=t["name"], columns=columns, primary_key=t["primary_key"],
                 uniques=[(u[0], list(u[1])) for u in t["uniques"]], indexes=t["indexes"],
                 constraints=t["constraints"], created_in=t["created_in"], partial=t.get("partial", False))


class _LazyTables(Mapping[str, Table]):
    def __init__(self, raw: dict[str, dict]) -> None:
        self._raw = raw
        self._decoded: dict[str, Table] = {}

    def __getitem__(self, name: str) -> Table:
        if name not in self._decoded:
            self._decoded[name] = _table_from_json(self._raw[name])
        return self._decoded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _bare(name: str) -> str:
    """`public.videos` and `"Videos"` → `videos` (one schema namespace is modelled)."""
    return name.split(".")[-1].strip('"`[]').lower()


bare_name = _bare
