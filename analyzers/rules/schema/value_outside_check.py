"""SCH005: code writes a value the column's CHECK constraint or enum type rejects."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.code_sites import is_model, sites_to_check
from undertow.analyzers.schema.facts import model_classes, schema_facts


class ValueOutsideCheck(RepoRule):
    """## What it does
    Flags a string literal written to (or compared with) a mapped column, as in
    `Job(job_type="analyze_video_v2")` or `Video.status == "transcribed"`, when the migrated
    schema's `CHECK (col IN (...))` or enum type does not allow that value.

    Also `order.state = "refunded"` when what `order` holds is known: an annotation
    (`order: Order`), `session.get(Order, id)`, `session.query(Order)....first()`,
    `session.scalars(select(Order)...)`, `Order.query...first()`, or a loop over them; and
    `insert(Order)` / `update(Order)...values(state="x")`. A name bound to anything else, or a
    class imported from another module than the model's (an API schema of the same name), is
    left alone. When the change touches migrations, unchanged code is checked again too.

    ## Why is this bad?
    The INSERT fails with `violates check constraint` (or `invalid input value for enum`) in
    production only: tests built with `create_all()` from the models have no such constraint.
    A comparison with an impossible value silently matches nothing.

    ## Example
    ```python
    session.add(Job(job_type="analyze_video_v2"))  # CHECK (job_type IN ('analyze_video', 'transcribe'))
    ```

    ## Use instead
    Widen the constraint in a migration in the same change, or write an allowed value.
    """

    id = "SCH005"
    name = "value-outside-check"
    severity = Severity.ERROR
    fix = "widen the CHECK/enum in a migration in this change, or use an allowed value"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        classes = model_classes(ctx.facts)
        for path, site in sites_to_check(ctx, {"write"}):
            model = classes.get(site.model or "")
            if model is None or not is_model(model, site, path):
                continue
            column_name = model.columns.get(site.attribute or "")
            table = facts.schema.table(model.table)
            column = table.columns.get(column_name) if table and column_name else None
            if column is None or column.allowed is None or site.value in column.allowed:
                continue
            allowed = ", ".join(repr(v) for v in column.allowed)
            what = f"enum type {column.enum_type}" if column.enum_type else "CHECK constraint"
            message = (
                f"writes {site.value!r} to {model.table}.{column_name}, but its {what} allows only {allowed}: "
                f"the statement fails in the database; {self.fix}"
            )
            yield self.report(path, message, f"{model.table}.{column_name}={site.value}", line=site.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_NARROWED = (  # a migration of the change takes 'analyzed' out of the CHECK
    "ALTER TABLE videos DROP CONSTRAINT videos_status_check;\n"
    "ALTER TABLE videos ADD CONSTRAINT videos_status_check CHECK (status IN ('new', 'transcribed'));\n"
)
_SERVICE = (
    "from sqlalchemy import select\n"
    "from sqlalchemy.orm import Session\n"
    "from app.models import Video\n"
    "def mark(session: Session, video_id: int) -> None:\n"
    "    video = session.get(Video, video_id)\n"
    "    video.status = 'transcribed'\n"
    "def mark_all(session: Session) -> None:\n"
    "    for video in session.scalars(select(Video).where(Video.status == 'new')):\n"
    "        video.status = 'transcribed'\n"
    "def mark_one(video: Video | None) -> None:\n"
    "    if video is not None:\n"
    "        video.status = 'transcribed'\n"
)

INVALID = [
    Case(
        base=SQL_REPO,
        head={"app/jobs.py": "from app.models import Video\nv = Video(title='x', status='transcribed')\n"},
        expect=[("SCH005", "app/jobs.py", 2)],
    ),
    Case(  # instances from session.get, a loop over select() results, an annotated parameter
        base=SQL_REPO,
        head={"app/service.py": _SERVICE},
        expect=[("SCH005", "app/service.py", 6), ("SCH005", "app/service.py", 9), ("SCH005", "app/service.py", 12)],
    ),
    Case(  # Flask-SQLAlchemy: Model.query...first(), then an update statement's values()
        base=SQL_REPO,
        head={
            "app/views.py": "import sqlalchemy as sa\nfrom app.models import Video\n"
            "def publish(db, title):\n"
            "    video = Video.query.filter_by(title=title).first_or_404()\n"
            "    video.status = 'published'\n"
            "    db.session.execute(sa.update(Video).where(Video.title == title).values(status='published'))\n"
        },
        expect=[("SCH005", "app/views.py", 5), ("SCH005", "app/views.py", 6)],
    ),
    Case(  # unchanged code the change's migration breaks
        base={
            **SQL_REPO,
            "app/jobs.py": "from app.models import Video\ndef done(v: Video):\n    v.status = 'analyzed'\n",
        },
        head={"migrations/002_status.sql": _NARROWED},
        expect=[("SCH005", "app/jobs.py", 3)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO, head={"app/jobs.py": "from app.models import Video\nv = Video(title='x', status='analyzed')\n"}
    ),
    Case(  # an allowed value; a name rebound to something unknown; a same-named API schema
        base=SQL_REPO,
        head={
            "app/service.py": "from app.models import Video\nfrom app import schemas\n"
            "def mark(session, video_id, payload: schemas.Video):\n"
            "    video = session.get(Video, video_id)\n"
            "    video.status = 'analyzed'\n"
            "    video = payload.copy()\n"
            "    video.status = 'transcribed'\n"
            "    payload.status = 'transcribed'\n"
            "    row = session.execute(select(Video)).first()\n"
            "    row.status = 'transcribed'\n"
        },
    ),
    Case(  # a wrong value already there at base stays old when a migration is added
        base={**SQL_REPO, "app/jobs.py": "from app.models import Video\nv = Video(title='x', status='bogus')\n"},
        head={"migrations/002_col.sql": "ALTER TABLE videos ADD COLUMN views INT;\n"},
    ),
]
