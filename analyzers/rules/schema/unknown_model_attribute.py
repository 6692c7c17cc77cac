"""SCH008: `Model.attr` for an attribute the mapped class does not have."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.code_sites import is_model, sites_to_check
from undertow.analyzers.schema.facts import model_classes

# What SQLAlchemy, Flask-SQLAlchemy and SQLModel put on every mapped class.
_PROVIDED = {
    "query",
    "metadata",
    "registry",
    "c",
    "columns",
    "query_class",
    "model_config",
    "model_fields",
    "model_validate",
    "model_dump",
    "model_construct",
    "parse_obj",
    "from_orm",
    "dict",
    "json",
    "schema",
    "objects",
    "id",
}


class UnknownModelAttribute(RepoRule):
    """## What it does
    Flags `Model.attr` on a changed line, where `Model` is a mapped class of the repository and
    `attr` is none of its columns, relationships, properties, methods, or attributes inherited
    from repository base classes and mixins. Classes whose bases cannot all be read are skipped.

    When the change touches migrations (a column dropped with its attribute), unchanged code is
    checked again; a same-named class imported from another module is not the model.

    ## Why is this bad?
    `AttributeError: type object '<Model>' has no attribute '<name>'` at the first request
    that builds the query: a typo or a column renamed on one side only.

    ## Example
    ```python
    select(Video).where(Video.sermon_date > since)   # the model maps sermon_actual_date
    ```

    ## Use instead
    Use the attribute the model defines, or add it to the model (and its migration).
    """

    id = "SCH008"
    name = "unknown-model-attribute"
    severity = Severity.ERROR
    fix = "use an attribute the model defines, or add it (with its migration)"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        classes = model_classes(ctx.facts)
        for path, site in sites_to_check(ctx, {"attribute"}):
            model = classes.get(site.model or "")
            attr = site.attribute or ""
            if (
                model is None
                or not is_model(model, site, path)
                or not model.resolved
                or attr.startswith("_")
                or attr in _PROVIDED
                or attr in model.attributes
            ):
                continue
            known = ", ".join(sorted(a for a in model.attributes if not a.startswith("_"))[:12])
            message = (
                f"{model.name}.{attr} is not an attribute of the mapped class {model.name} "
                f"({model.path}:{model.line}; it has {known}); {self.fix}"
            )
            yield self.report(path, message, f"{model.name}.{attr}", line=site.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"app/q.py": "from app.models import Video\nq = select(Video).where(Video.sermon_date > since)\n"},
        expect=[("SCH008", "app/q.py", 2)],
    ),
    Case(  # unchanged code reading a column the change drops (migration and model)
        base={
            **SQL_REPO,
            "app/feed.py": "from app.models import Video\ndef feed(db):\n    return db.query(Video.published_at)\n",
        },
        head={
            "migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n",
            "app/models.py": SQL_REPO["app/models.py"].replace("    published_at: Mapped[datetime | None]\n", ""),
        },
        expect=[("SCH008", "app/feed.py", 3)],
    ),
    Case(  # the model through its module, as Flask projects write it
        base=SQL_REPO,
        head={
            "app/views.py": "from app import models\n"
            "def feed(db):\n"
            "    return models.Video.query.order_by(models.Video.rank)\n"
        },
        expect=[("SCH008", "app/views.py", 3)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={"app/q.py": "from app.models import Video\nr = Video.title\ns = Video.query\nt = Video.__table__\n"},
    ),
    Case(  # an API schema named like the model is not the model
        base=SQL_REPO,
        head={"app/api.py": "from app.schemas import Video\nfields = Video.model_fields_set\nx = Video.sermon_date\n"},
    ),
]
