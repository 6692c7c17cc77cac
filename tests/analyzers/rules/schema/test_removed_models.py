"""SCH002 on a model the change deletes: severity and message, and where it points."""

from undertow.analyzers.core.engine import review
from undertow.analyzers.core.findings import Severity
from undertow.analyzers.rules.schema.migration_without_model import INVALID, MigrationWithoutModel


def _findings(case):
    base, head = case.snapshots()
    return review(base, head, case.change_set(), case.config(), rules=[MigrationWithoutModel]).findings


def test_a_deleted_model_file_is_a_notice_at_the_table_s_migration():
    [finding] = _findings(INVALID[1])
    assert (finding.path, finding.line, finding.severity) == ("migrations/002_tags.sql", 1, Severity.NOTICE)
    assert finding.message == (
        "Tag is removed, but table tags stays in the migrated schema and no migration of this change drops it: "
        "the table and its rows stay behind with nothing that maps them; drop the table in a migration, or keep "
        "the model"
    )


def test_a_removed_model_still_referenced_with_required_columns_is_an_error():
    [finding] = _findings(INVALID[2])
    assert finding.severity is Severity.ERROR
    assert "comments.video_id still references it, and its rows need title (NOT NULL without a default)" in (
        finding.message
    )
