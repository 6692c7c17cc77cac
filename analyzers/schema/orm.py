"""What the ORM models expect, read with ``ast`` (parse only): SQLAlchemy declarative (1.x
``Column`` and 2.0 ``Mapped``/``mapped_column``), Flask-SQLAlchemy, Core ``Table``, SQLModel."""

from __future__ import annotations

import ast
import re
from typing import Any, NamedTuple

from undertow.analyzers.python.ast_names import name_of
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.schema.model import PYTHON_TYPES


class OrmColumn(NamedTuple):
    """One mapped column: ``Column(...)``, ``mapped_column(...)``, an annotated ``Mapped[X]``, a
    SQLModel field."""

    attr: str  # the Python attribute
    name: str  # the column's name in the database (lower case)
    type: str  # the SQL type as the migrations spell it ("" unknown)
    allowed: list[str] | None  # the values of an ``Enum(...)`` type
    line: int
    nullable: bool
    nullable_explicit: bool  # ``nullable=`` written (else implied by the key or the annotation)
    primary_key: bool
    unique: bool
    indexed: bool  # index=True
    references: str | None = None  # ForeignKey("table.column")
    has_default: bool = False  # default=/server_default=/insert_default=: an insert need not set it


class TableArg(NamedTuple):
    """A ``UniqueConstraint``, ``Index``, ``CheckConstraint`` or ``PrimaryKeyConstraint`` of a
    table (``__table_args__`` or a ``Table(...)`` argument)."""

    kind: str
    name: str | None
    columns: list[str]
    unique: bool
    line: int


class OrmModel(NamedTuple):
    """A model class (declarative, Flask-SQLAlchemy, SQLModel; abstract bases and mixins too) or
    a Core ``Table(...)`` (``cls`` None)."""

    cls: str | None
    table: str | None  # None: an abstract base, a mixin, or a single-table-inheritance subclass
    bases: list[str]
    columns: list[OrmColumn]
    attributes: list[str]
    abstract: bool
    line: int
    kind: str  # "declarative", "sqlmodel" or "core"
    table_args: list[TableArg]
    # How the table is named: "given" (``__tablename__`` or ``Table("name")``), "derived" (from
    # the class name by a rule of the ORM: SQLModel, Flask-SQLAlchemy, a subclass with its own
    # primary key), "" (none of its own); a base class's ``@declared_attr`` ``__tablename__``
    # rule for its subclasses: "rule:lower", "rule:snake" or "rule:unknown".
    naming: str = ""
    # (class, attribute) a relationship's ``backref=`` puts on the other class.
    backrefs: list[tuple[str, str]] = []


def encode_models(models: list[OrmModel]) -> list[list[Any]]:
    """The cached (JSON) form: each model as the list of its fields."""
    return [
        [
            *m[:3],
            [list(c) for c in m.columns],
            m.attributes,
            m.abstract,
            m.line,
            m.kind,
            [list(a) for a in m.table_args],
            m.naming,
            [list(b) for b in m.backrefs],
        ]
        for m in models
    ]


def decode_models(raw: list[list[Any]]) -> list[OrmModel]:
    return [
        OrmModel(
            cls,
            table,
            bases,
            [OrmColumn(*c) for c in columns],
            attributes,
            abstract,
            line,
            kind,
            [TableArg(*a) for a in table_args],
            naming,
            [(target, name) for target, name in backrefs],
        )
        for cls, table, bases, columns, attributes, abstract, line, kind, table_args, naming, backrefs in raw
    ]


def snake_case(name: str) -> str:
    """``OrderItem`` → ``order_item``: the snake-case recipe of SQLAlchemy's documentation."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def flask_table_name(name: str) -> str:
    """Flask-SQLAlchemy's table name for a class: ``UUIDModel`` → ``uuid_model``,
    ``OrderItem`` → ``order_item`` (acronyms kept together)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


def table_by_rule(rule: str, class_name: str) -> str | None:
    """The table a ``@declared_attr`` ``__tablename__`` rule gives a class (None: unknown)."""
    if rule == "rule:lower":
        return class_name.lower()
    if rule == "rule:snake":
        return snake_case(class_name)
    return None


_COLUMN_CALLS = {"Column", "mapped_column"}
_DECLARATIVE_ROOTS = {"DeclarativeBase", "DeclarativeBaseNoMeta"}
_NOT_COLUMNS = {
    "relationship",
    "Relationship",
    "backref",
    "association_proxy",
    "column_property",
    "synonym",
    "hybrid_property",
    "deferred",
    "query_expression",
    "composite",
}


def mentions_orm(text: str) -> bool:
    return (
        ("sqlalchemy" in text or "sqlmodel" in text or "db.Model" in text or "db.Column" in text)
        and "class " in text
        or "Table(" in text
    )


def extract_models(path: str, text: str) -> list[OrmModel]:
    """The models of one file read on its own (the index reads them from the one parse of the
    file's Python facts: ``models_in``)."""
    if not mentions_orm(text):
        return []
    try:
        tree = parse_ast(text, path)
    except Unparseable:
        return []
    return models_in(tree)


def models_in(tree: ast.Module) -> list[OrmModel]:
    """The ORM model classes and Core ``Table(...)`` calls of a parsed file."""
    models: list[OrmModel] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            model = _class_model(node)
            if model is not None:
                models.append(model)
        elif (
            isinstance(node, ast.Call)
            and name_of(node.func).rsplit(".", 1)[-1] == "Table"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            columns = [c for a in node.args[1:] if (c := _column(a, None, node.lineno)) is not None]
            models.append(
                OrmModel(
                    None,
                    node.args[0].value.lower(),
                    [],
                    columns,
                    [],
                    False,
                    node.lineno,
                    "core",
                    _table_args(node.args[1:]),
                    "given",
                )
            )
    return models


def naming_conventions_in(tree: ast.Module) -> list[dict[str, str]]:
    """The ``MetaData(naming_convention={...})`` of a parsed file (the dict written in the call or
    in a module-level variable it names), each as {"ix": template, "uq": ...}."""
    literals: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            literals[stmt.targets[0].id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            literals[stmt.target.id] = stmt.value
    found: list[dict[str, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and name_of(node.func).rsplit(".", 1)[-1] == "MetaData"):
            continue
        value = next((k.value for k in node.keywords if k.arg == "naming_convention"), None)
        if isinstance(value, ast.Name):
            value = literals.get(value.id)
        if isinstance(value, ast.Dict):
            convention = {
                k.value: v.value
                for k, v in zip(value.keys, value.values, strict=True)
                if isinstance(k, ast.Constant)
                and isinstance(k.value, str)
                and isinstance(v, ast.Constant)
                and isinstance(v.value, str)
            }
            if convention:
                found.append(convention)
    return found


def convention_name(convention: dict[str, str], kind: str, table: str, columns: list[str]) -> str | None:
    """The name SQLAlchemy gives an unnamed constraint or index of ``kind`` ("ix", "uq") under a
    naming convention; None when the template uses a token this does not know."""
    template = convention.get(kind)
    if template is None or not columns:
        return None
    tokens = {
        "table_name": table,
        "column_0_name": columns[0],
        "column_0_label": f"{table}_{columns[0]}",
        "column_0N_name": "".join(columns),
        "column_0_N_name": "_".join(columns),
        "column_0N_label": "".join(f"{table}_{c}" for c in columns),
        "column_0_N_label": "_".join(f"{table}_{c}" for c in columns),
    }
    try:
        return (template % tokens).lower()
    except (KeyError, ValueError, TypeError):
        return None


def _class_model(node: ast.ClassDef) -> OrmModel | None:
    bases = [name_of(b) for b in node.bases]
    sqlmodel_table = any(
        k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords
    )
    tablename = None
    abstract = False
    rule = ""
    columns: list[OrmColumn] = []
    attributes: list[str] = []
    table_args: list[TableArg] = []
    backrefs = [b for stmt in node.body if (b := _backref(stmt)) is not None]
    # `class Base(DeclarativeBase)` is the declarative base itself, never a table: the columns it
    # declares are every model's (a shared id, created_at...).
    declarative_base = any(b.rsplit(".", 1)[-1] in _DECLARATIVE_ROOTS for b in bases)
    if declarative_base:
        abstract = True
    metadata_key = _dataclass_metadata_key(node)
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            if target == "__tablename__" and isinstance(stmt.value, ast.Constant):
                tablename = str(stmt.value.value).lower()
            elif target == "__abstract__":
                abstract = isinstance(stmt.value, ast.Constant) and stmt.value.value is True
            elif target == "__table_args__":
                table_args = _table_args(
                    stmt.value.elts if isinstance(stmt.value, (ast.Tuple, ast.List)) else [stmt.value]
                )
            else:
                attributes.append(target)
                column = _column(column_value(stmt.value, metadata_key), target, stmt.lineno)
                if column is not None:
                    columns.append(column)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
            attributes.append(target)
            column = _annotated(stmt, target, sqlmodel_table, metadata_key)
            if column is not None:
                columns.append(column)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            attributes.append(stmt.name)
            if _declared_attr(stmt):
                if stmt.name == "__tablename__":
                    rule = _tablename_rule(stmt)
                else:
                    column = _declared_column(stmt)
                    if column is not None:
                        columns.append(column)
    if rule and tablename is None:
        # A base whose subclasses take their table names from a rule: a base, not a table.
        return OrmModel(node.name, None, bases, columns, attributes, True, node.lineno, "declarative", table_args, rule)
    is_model = (
        tablename is not None
        or sqlmodel_table
        or any(b.endswith(("Model", "Base", "DeclarativeBase")) for b in bases)
        and columns
    )
    if not is_model and not columns and not abstract:
        return None  # (an __abstract__ class without columns is still a base of the hierarchy)
    naming = "given" if tablename is not None else ""
    if tablename is None and sqlmodel_table:
        tablename, naming = node.name.lower(), "given"  # SQLModel's own rule
    own_primary_key = any(c.primary_key for c in columns)
    if (
        tablename is None
        and columns
        and not abstract
        and (any(b in ("db.Model", "Model") for b in bases) or own_primary_key)
        and any(b not in ("object", "") for b in bases)  # a plain mixin (no base) maps nothing
    ):
        # Flask-SQLAlchemy names the table after the class, and so for a subclass that declares
        # its own primary key (joined-table inheritance); without one a subclass shares its
        # parent's table (single-table inheritance).
        tablename, naming = flask_table_name(node.name), "derived"
    return OrmModel(
        node.name,
        tablename,
        bases,
        columns,
        attributes,
        abstract,
        node.lineno,
        "sqlmodel" if sqlmodel_table else "declarative",
        table_args,
        naming,
        backrefs,
    )


def _backref(stmt: ast.stmt) -> tuple[str, str] | None:
    """``x = relationship("Other", backref="things")`` / ``backref("things", ...)``: the other
    class gets ``things``."""
    value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
    if not (isinstance(value, ast.Call) and name_of(value.func).rsplit(".", 1)[-1] in ("relationship", "relation")):
        return None
    if not value.args:
        return None
    first = value.args[0]
    target = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else name_of(first)
    option = next((k.value for k in value.keywords if k.arg == "backref"), None)
    if isinstance(option, ast.Call) and option.args:
        option = option.args[0]
    if isinstance(option, ast.Constant) and isinstance(option.value, str) and target:
        return target.rsplit(".", 1)[-1], option.value
    return None


def _declared_attr(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``@declared_attr``, ``@declared_attr.directive``, ``@declared_attr.cascading``..."""
    return any(
        "declared_attr" in name_of(d.func if isinstance(d, ast.Call) else d).split(".") for d in func.decorator_list
    )


def _returned(func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """The value of the function's one top-level ``return``, if that is all it returns."""
    returns = [s for s in func.body if isinstance(s, ast.Return)]
    return returns[0].value if len(returns) == 1 and returns[0].value is not None else None


def _tablename_rule(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The naming rule of a ``@declared_attr`` ``__tablename__``: ``cls.__name__.lower()``
    ("rule:lower"), a snake-case conversion of ``cls.__name__`` ("rule:snake": ``re.sub`` on
    capitals, or a helper named for it), anything else "rule:unknown" (never guessed)."""
    value = _returned(func)
    if value is None:
        return "rule:unknown"
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "lower"
        and not value.args
    ):
        inner = value.func.value
        if name_of(inner).endswith("__name__"):
            return "rule:lower"
        if isinstance(inner, ast.Call) and name_of(inner.func).endswith("sub") and _names_class(inner):
            return "rule:snake"
    if isinstance(value, ast.Call) and _names_class(value):
        helper = name_of(value.func).rsplit(".", 1)[-1].lower()
        if "snake" in helper or "underscore" in helper:
            return "rule:snake"
    return "rule:unknown"


def _names_class(call: ast.Call) -> bool:
    return any(name_of(a).endswith("__name__") for a in call.args)


def _declared_column(func: ast.FunctionDef | ast.AsyncFunctionDef) -> OrmColumn | None:
    """A ``@declared_attr`` method of a mixin that returns ``Column(...)``/``mapped_column(...)``:
    a column named for the method, typed and nullable by its return annotation when the call
    does not say."""
    value = _returned(func)
    column = _column(value, func.name, func.lineno)
    if column is None or func.returns is None:
        return column
    inner, optional = _unwrap(func.returns)
    if not column.type and column.references is None:
        column = column._replace(type=PYTHON_TYPES.get(name_of(inner).rsplit(".", 1)[-1], ""))
    if not column.nullable_explicit and not column.primary_key:
        column = column._replace(nullable=optional)
    return column


def _uncast(value: ast.expr | None) -> ast.expr | None:
    """``cast(T, X)`` (``typing.cast``, ``t.cast``...) → ``X``: a cast only tells the type checker
    what ``X`` is. (SQLAlchemy's ``cast(expression, type)`` has the type second: never a column.)"""
    for _ in range(4):
        if (
            isinstance(value, ast.Call)
            and name_of(value.func).rsplit(".", 1)[-1] == "cast"
            and len(value.args) == 2
            and not value.keywords
        ):
            value = value.args[1]
        else:
            break
    return value


def _dataclass_metadata_key(node: ast.ClassDef) -> str:
    """The key under which SQLAlchemy's dataclass mapping reads a ``field(metadata={...})``'s
    column: the class's ``__sa_dataclass_metadata_key__``, else "sa" (the documented one, which a
    base class usually declares)."""
    for stmt in node.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        targets = (
            stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        )
        if (
            any(isinstance(t, ast.Name) and t.id == "__sa_dataclass_metadata_key__" for t in targets)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            return value.value
    return "sa"


def column_value(value: ast.expr | None, metadata_key: str = "sa") -> ast.expr | None:
    """What an attribute's value maps: ``X`` of ``cast(T, X)``, and of a dataclass
    ``field(metadata={key: X})`` (SQLAlchemy's declarative mapping of a ``@dataclass``) the ``X``
    under the class's metadata key; else the value itself (a ``Column(...)``...)."""
    value = _uncast(value)
    if not (isinstance(value, ast.Call) and name_of(value.func) in ("field", "dataclasses.field") and not value.args):
        return value
    metadata = next((k.value for k in value.keywords if k.arg == "metadata"), None)
    if isinstance(metadata, ast.Dict):
        for key, item in zip(metadata.keys, metadata.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == metadata_key:
                return _uncast(item)
    return value


def _column(value: ast.expr | None, attr: str | None, line: int) -> OrmColumn | None:
    value = _uncast(value)
    if not isinstance(value, ast.Call):
        return None
    func = name_of(value.func).rsplit(".", 1)[-1]
    if func not in _COLUMN_CALLS:
        return None
    args = list(value.args)
    name = attr
    if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        name = args[0].value
        args = args[1:]
    if name is None:
        return None
    references = next((r for a in args if (r := _foreign_key(a)) is not None), None)
    sql_type, allowed = _type(args[0]) if args else ("", None)
    kwargs = {k.arg: k.value for k in value.keywords if k.arg}
    pk = _true(kwargs.get("primary_key"))
    nullable = kwargs.get("nullable")
    return OrmColumn(
        attr or name,
        name.lower(),
        sql_type,
        allowed,
        line,
        (not pk) if nullable is None else _true(nullable),
        nullable is not None,
        pk,
        _true(kwargs.get("unique")),
        _true(kwargs.get("index")),
        references,
        any(k in kwargs for k in ("default", "server_default", "insert_default", "default_factory")),
    )


def _foreign_key(node: ast.expr) -> str | None:
    """``ForeignKey("table.column")``: the column it references (lower case)."""
    if (
        isinstance(node, ast.Call)
        and name_of(node.func).rsplit(".", 1)[-1] == "ForeignKey"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value.lower()
    return None


def _annotated(stmt: ast.AnnAssign, attr: str, sqlmodel: bool, metadata_key: str = "sa") -> OrmColumn | None:
    annotation = stmt.annotation
    inner, optional = _unwrap(annotation)
    value = column_value(stmt.value, metadata_key)
    if isinstance(value, ast.Call) and name_of(value.func).rsplit(".", 1)[-1] in _NOT_COLUMNS:
        return None
    explicit = isinstance(value, ast.Call) and name_of(value.func).rsplit(".", 1)[-1] in _COLUMN_CALLS
    mapped = isinstance(annotation, ast.Subscript) and name_of(annotation.value).rsplit(".", 1)[-1] == "Mapped"
    if not (mapped or sqlmodel or explicit):
        # A plain annotation maps nothing, unless its value is a column (a 1.x `email: str =
        # Column(...)`, `status: str = cast(str, Column(...))`, a dataclass field's
        # `id: int = field(metadata={"sa": Column(...)})`).
        return None
    # A private attribute is a column only when it says so: `_password: Mapped[str] =
    # mapped_column("password")` (a hybrid property's storage) maps the column "password".
    if (attr.startswith("_") and not explicit) or name_of(inner) in ("ClassVar",):
        return None
    column = _column(value, attr, stmt.lineno) if explicit else None
    python_type = name_of(inner).rsplit(".", 1)[-1]
    if (
        python_type in ("list", "List")
        and sqlmodel
        and value is not None
        and name_of(getattr(value, "func", value)).endswith("Relationship")
    ):
        return None
    if column is None:
        if sqlmodel and isinstance(value, ast.Call) and name_of(value.func).endswith("Field"):
            kwargs = {k.arg: k.value for k in value.keywords if k.arg}
            pk = _true(kwargs.get("primary_key"))
            nullable = False if pk else (_true(kwargs.get("nullable")) if "nullable" in kwargs else optional)
            column = OrmColumn(
                attr,
                attr.lower(),
                "",
                None,
                stmt.lineno,
                nullable,
                "nullable" in kwargs,
                pk,
                _true(kwargs.get("unique")),
                _true(kwargs.get("index")),
            )
            if "sa_column" in kwargs:
                sa_column = _column(kwargs["sa_column"], attr, stmt.lineno)
                if sa_column is not None:
                    column = sa_column
        else:
            if not _is_scalar_type(python_type):
                return None  # Mapped["Other"] / list["Child"]: a relationship
            column = OrmColumn(attr, attr.lower(), "", None, stmt.lineno, optional, False, False, False, False)
    if not (mapped or sqlmodel):
        return column  # a plain annotation (`email: str = Column(String)`) says nothing to the ORM
    if not column.type and column.references is None:
        # A foreign key without a type takes the referenced column's (schema/facts), never the
        # annotation's Python type.
        column = column._replace(type=PYTHON_TYPES.get(python_type, ""))
    if not column.nullable_explicit and not column.primary_key:
        column = column._replace(nullable=optional)  # 2.0: Mapped[str] is NOT NULL, Mapped[str | None] is not
    return column


def _is_scalar_type(name: str) -> bool:
    return name in PYTHON_TYPES or name in ("Any", "Enum") or name.endswith(("Enum", "Status", "Type", "Kind"))


def _unwrap(annotation: ast.expr) -> tuple[ast.expr, bool]:
    """The type inside Mapped[...] / Optional[...] / X | None, and whether None is allowed."""
    node, optional = annotation, False
    for _ in range(4):
        if isinstance(node, ast.Subscript) and name_of(node.value).rsplit(".", 1)[-1] in ("Mapped", "Optional"):
            optional = optional or name_of(node.value).endswith("Optional")
            node = node.slice
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = node.left, node.right
            if isinstance(right, ast.Constant) and right.value is None:
                node, optional = left, True
            elif isinstance(left, ast.Constant) and left.value is None:
                node, optional = right, True
            else:
                break
        elif isinstance(node, ast.Subscript) and name_of(node.value).rsplit(".", 1)[-1] == "Union":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            rest = [e for e in elts if not (isinstance(e, ast.Constant) and e.value is None)]
            optional = optional or len(rest) < len(elts)
            node = rest[0] if rest else node
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                break
        else:
            break
    return node, optional


def _type(node: ast.expr) -> tuple[str, list[str] | None]:
    name = name_of(node).rsplit(".", 1)[-1]
    if name == "Enum" and isinstance(node, ast.Call):
        values = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        return "enum", values or None
    if name == "ForeignKey":
        return "", None
    return PYTHON_TYPES.get(name, name.lower()), None


def _table_args(items: list[ast.expr]) -> list[TableArg]:
    found = []
    for item in items:
        if not isinstance(item, ast.Call):
            continue
        kind = name_of(item.func).rsplit(".", 1)[-1]
        if kind in ("UniqueConstraint", "Index", "CheckConstraint", "PrimaryKeyConstraint"):
            kwargs = {k.arg: k.value for k in item.keywords if k.arg}
            name = kwargs.get("name")
            args = [a.value for a in item.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            name_value: Any
            if kind == "Index":
                name_value, columns = (args[0] if args else None), args[1:]
            else:
                name_value, columns = (name.value if isinstance(name, ast.Constant) else None), args
            found.append(
                TableArg(
                    kind, name_value, columns, _true(kwargs.get("unique")) or kind == "UniqueConstraint", item.lineno
                )
            )
    return found


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
