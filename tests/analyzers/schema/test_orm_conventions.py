"""How declarative bases name tables and declare columns (``schema/orm.py`` and the mapping of
``schema/facts.py``): ``@declared_attr`` table names and mixin columns, foreign keys typed by the
column they reference, naming conventions, constraints by shape."""

from undertow.analyzers.core.engine import review
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.model_without_migration import ModelWithoutMigration
from undertow.analyzers.rules.schema.type_mismatch import TypeMismatch
from undertow.analyzers.schema.facts import expected_columns, expected_indexes, model_classes
from undertow.analyzers.schema.orm import extract_models

BASE_LOWER = (
    "from sqlalchemy.orm import DeclarativeBase, declared_attr\n"
    "class Base(DeclarativeBase):\n"
    "    @declared_attr.directive\n"
    "    def __tablename__(cls):\n"
    "        return cls.__name__.lower()\n"
)


def _columns(files: dict[str, str]) -> list[tuple[str, str | None]]:
    facts = RevisionFacts(MemorySnapshot(files))
    return [(e.table, e.column) for e in expected_columns(facts)]


def test_a_declared_attr_tablename_names_the_subclasses_and_makes_the_base_abstract():
    files = {
        "app/__init__.py": "",
        "app/base.py": BASE_LOWER,
        "app/models.py": "from sqlalchemy import Column, Integer\nfrom app.base import Base\n"
        "class OrderItem(Base):\n    id = Column(Integer, primary_key=True)\n",
    }
    assert _columns(files) == [("orderitem", None), ("orderitem", "id")]
    [base] = extract_models("app/base.py", BASE_LOWER)
    assert (base.abstract, base.table, base.naming) == (True, None, "rule:lower")


def test_a_rule_that_cannot_be_read_maps_no_table_rather_than_a_guess():
    base = BASE_LOWER.replace("return cls.__name__.lower()", "return PREFIX + cls.__name__")
    files = {
        "app/__init__.py": "",
        "app/base.py": base,
        "app/models.py": "from sqlalchemy import Column, Integer\nfrom app.base import Base\n"
        "class Order(Base):\n    id = Column(Integer, primary_key=True)\n    total = Column(Integer)\n",
    }
    assert extract_models("app/base.py", base)[0].naming == "rule:unknown"
    # The own-primary-key guess (snake case of the class) is not made either: the base decides.
    assert _columns(files) == []


def test_a_mixin_of_declared_attr_columns_is_resolved_and_gives_its_columns():
    files = {
        "app/__init__.py": "",
        "app/mixins.py": "from sqlalchemy import Column, DateTime, ForeignKey, Integer\n"
        "from sqlalchemy.orm import Mapped, declared_attr, mapped_column\n"
        "class Owned:\n"
        "    @declared_attr\n    def owner_id(cls) -> Mapped[int | None]:\n"
        "        return mapped_column(ForeignKey('users.id'))\n"
        "    @declared_attr\n    def created_at(cls):\n        return Column(DateTime, nullable=False)\n",
        "app/models.py": "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import DeclarativeBase\n"
        "from app.mixins import Owned\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
        "class Doc(Owned, Base):\n    __tablename__ = 'docs'\n    id = Column(Integer, primary_key=True)\n",
    }
    facts = RevisionFacts(MemorySnapshot(files))
    columns = {(e.table, e.column): e.info for e in expected_columns(facts) if e.info is not None}
    assert sorted(columns) == [("docs", "created_at"), ("docs", "id"), ("docs", "owner_id"), ("users", "id")]
    owner = columns[("docs", "owner_id")]
    # Typed by users.id (integer), not by the annotation; nullable from the annotation.
    assert (owner.type, owner.nullable, owner.references) == ("integer", True, "users.id")
    assert columns[("docs", "created_at")].nullable is False
    assert model_classes(facts)["Doc"].resolved is True


def test_a_foreign_key_takes_the_referenced_type_not_the_annotation():
    sql = "CREATE TABLE users (id TEXT PRIMARY KEY);\nCREATE TABLE docs (id SERIAL PRIMARY KEY);\n"
    models = (
        "import uuid\nfrom sqlalchemy import ForeignKey\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[str] = mapped_column(primary_key=True)\n"
        "class Doc(Base):\n    __tablename__ = 'docs'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    case = Case(
        base={"migrations/001.sql": sql, "app/models.py": models},
        head={
            "app/models.py": models + "    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey('users.id'))\n",
            "migrations/002.sql": "ALTER TABLE docs ADD COLUMN owner_id TEXT NOT NULL REFERENCES users (id);\n",
        },
    )
    base, head = case.snapshots()
    report = review(base, head, case.change_set(), case.config(), rules=[TypeMismatch, ModelWithoutMigration])
    assert report.findings == []


def _sch001(case: Case) -> list[str]:
    base, head = case.snapshots()
    report = review(base, head, case.change_set(), case.config(), rules=[ModelWithoutMigration])
    return [f.message for f in report.findings]


CONVENTION = (
    "from sqlalchemy import Column, Integer, MetaData, String\nfrom sqlalchemy.orm import declarative_base\n"
    "convention = {'ix': 'idx_%(table_name)s_%(column_0_name)s', 'uq': 'uq_%(table_name)s_%(column_0_N_name)s'}\n"
    "Base = declarative_base(metadata=MetaData(naming_convention=convention))\n"
    "class Tag(Base):\n    __tablename__ = 'tags'\n    id = Column(Integer, primary_key=True)\n"
)


def test_index_and_unique_names_follow_the_naming_convention():
    case = Case(
        base={"migrations/001.sql": "CREATE TABLE tags (id SERIAL PRIMARY KEY);\n", "app/models.py": CONVENTION},
        head={
            "app/models.py": CONVENTION
            + "    name = Column(String, index=True)\n    slug = Column(String, unique=True)\n",
            "migrations/002.sql": "ALTER TABLE tags ADD COLUMN name TEXT;\nALTER TABLE tags ADD COLUMN slug TEXT;\n",
        },
    )
    assert _sch001(case) == [
        "index idx_tags_name on tags is declared by Tag here, but none of the 2 migrations in migrations/ "
        "creates it; add: CREATE INDEX idx_tags_name ON tags (name);",
        "a unique constraint on tags (slug) is declared by Tag here, but none of the 2 migrations in migrations/ "
        "creates it; add: ALTER TABLE tags ADD CONSTRAINT uq_tags_slug UNIQUE (slug);",
    ]
    facts = RevisionFacts(case.snapshots()[1])
    assert [(i.name, i.columns, i.unique) for i in expected_indexes(facts)] == [
        ("idx_tags_name", ["name"], False),
        (None, ["slug"], True),
    ]


def test_a_primary_key_meets_a_unique_expectation():
    models = CONVENTION.replace(
        "id = Column(Integer, primary_key=True)", "id = Column(Integer, primary_key=True, unique=True)"
    )
    sql = "CREATE TABLE tags (id SERIAL PRIMARY KEY);\n"
    case = Case(
        base={"migrations/001.sql": sql, "app/models.py": CONVENTION},
        head={"app/models.py": models + "    __table_args__ = (UniqueConstraint('id'),)\n"},
    )
    assert _sch001(case) == []


def test_a_mixin_of_methods_only_is_a_known_base_whose_attributes_the_model_has():
    files = {
        "app/__init__.py": "",
        "app/mixins.py": "class BelongsToOrg(object):\n    @classmethod\n    def get_by_org(cls, org):\n        return org\n"
        "    def org_name(self):\n        self.cached_org = 1\n",
        "app/models.py": "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n"
        "from app.mixins import BelongsToOrg\nBase = declarative_base()\n"
        "class Query(BelongsToOrg, Base):\n    __tablename__ = 'queries'\n    id = Column(Integer, primary_key=True)\n",
    }
    query = model_classes(RevisionFacts(MemorySnapshot(files)))["Query"]
    assert query.resolved is True
    assert {"get_by_org", "org_name", "cached_org", "id"} <= query.attributes


def test_a_backref_gives_the_other_class_its_attribute():
    files = {
        "app/models.py": "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import declarative_base, relationship, backref\nBase = declarative_base()\n"
        "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
        "class Query(Base):\n    __tablename__ = 'queries'\n    id = Column(Integer, primary_key=True)\n"
        "    user_id = Column(Integer, ForeignKey('users.id'))\n"
        "    user = relationship(User, backref='queries')\n"
        "    owner = relationship('User', backref=backref('owned_queries', lazy='dynamic'))\n",
    }
    users = model_classes(RevisionFacts(MemorySnapshot(files)))["User"]
    assert {"queries", "owned_queries"} <= users.attributes


def test_an_abstract_base_without_columns_reexported_by_its_package_is_resolved():
    files = {
        "app/__init__.py": "",
        "app/db/__init__.py": "from .base import RecordModel\n__all__ = ['RecordModel']\n",
        "app/db/base.py": "from uuid import UUID\nfrom datetime import datetime\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Model(DeclarativeBase):\n    __abstract__ = True\n"
        "class IDModel(Model):\n    __abstract__ = True\n    id: Mapped[UUID] = mapped_column(primary_key=True)\n"
        "class Stamped(Model):\n    __abstract__ = True\n    created_at: Mapped[datetime]\n"
        "class RecordModel(IDModel, Stamped):\n    __abstract__ = True\n",
        "app/models.py": "from sqlalchemy.orm import Mapped\nfrom app.db import RecordModel\n"
        "class Tier(RecordModel):\n    __tablename__ = 'tiers'\n    name: Mapped[str]\n",
    }
    facts = RevisionFacts(MemorySnapshot(files))
    assert model_classes(facts)["Tier"].resolved is True
    assert sorted(e.column for e in expected_columns(facts) if e.table == "tiers" and e.column) == [
        "created_at",
        "id",
        "name",
    ]


def test_a_plain_mixin_with_a_primary_key_maps_no_table_and_flask_names_keep_acronyms():
    source = (
        "import sqlalchemy as sa\nfrom app import db\n"
        "class UUIDModel:\n    id = sa.Column(sa.Uuid, primary_key=True)\n"
        "class APIKey(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    )
    assert [(m.cls, m.table, m.naming) for m in extract_models("app/models.py", source)] == [
        ("UUIDModel", None, ""),
        ("APIKey", "api_key", "derived"),
    ]


def test_a_mixin_over_a_plain_base_class_of_the_repository_maps_no_table():
    files = {
        "app/__init__.py": "",
        "app/generics.py": "from sqlalchemy.orm import Mapped, mapped_column\nclass BaseModel:\n    pass\n"
        "class UUIDModel(BaseModel):\n    id: Mapped[int] = mapped_column(primary_key=True)\n",
        "app/models.py": "from sqlalchemy.orm import DeclarativeBase, Mapped\nfrom app.generics import UUIDModel\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Client(UUIDModel, Base):\n    __tablename__ = 'clients'\n    name: Mapped[str]\n",
    }
    assert _columns(files) == [("clients", None), ("clients", "name"), ("clients", "id")]


def test_the_declarative_base_s_own_columns_are_every_model_s():
    files = {
        "app/models.py": "from datetime import datetime\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class SqlAlchemyBase(DeclarativeBase):\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n    created_at: Mapped[datetime | None]\n"
        "class Recipe(SqlAlchemyBase):\n    __tablename__ = 'recipes'\n    name: Mapped[str]\n",
    }
    assert _columns(files) == [("recipes", None), ("recipes", "name"), ("recipes", "id"), ("recipes", "created_at")]
