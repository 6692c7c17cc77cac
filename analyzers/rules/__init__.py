"""The rule registry: every rule Undertow ships, listed explicitly."""

from __future__ import annotations

from analyzers.rules.base import EngineRule, FileRule, PythonRule, RepoRule, Rule
from analyzers.rules.config.docker_socket_mount import DockerSocketMount
from analyzers.rules.config.missing_build_path import MissingBuildPath
from analyzers.rules.config.undeclared_env_var import UndeclaredEnvVar
from analyzers.rules.dependencies.lockfile_stale import LockfileStale
from analyzers.rules.dependencies.manifest_version_conflict import ManifestVersionConflict
from analyzers.rules.dependencies.missing_first_party_module import MissingFirstPartyModule
from analyzers.rules.dependencies.missing_requirement import MissingRequirement
from analyzers.rules.dependencies.removed_requirement_still_imported import RemovedRequirementStillImported
from analyzers.rules.dependencies.unbounded_requirement import UnboundedRequirement
from analyzers.rules.dependencies.unpinned_url_requirement import UnpinnedUrlRequirement
from analyzers.rules.migrations.add_required_column_without_default import AddRequiredColumnWithoutDefault
from analyzers.rules.migrations.blocking_index import BlockingIndex
from analyzers.rules.migrations.column_type_change import ColumnTypeChange
from analyzers.rules.migrations.constraint_without_not_valid import ConstraintWithoutNotValid
from analyzers.rules.migrations.contract_during_deploy import ContractDuringDeploy
from analyzers.rules.migrations.destructive_drop import DestructiveDrop
from analyzers.rules.migrations.irreversible_migration import IrreversibleMigration
from analyzers.rules.migrations.rename import Rename
from analyzers.rules.migrations.set_not_null import SetNotNull
from analyzers.rules.migrations.unique_constraint_lock import UniqueConstraintLock
from analyzers.rules.schema.dialect_trees_diverge import DialectTreesDiverge
from analyzers.rules.schema.migration_drops_used import MigrationDropsUsed
from analyzers.rules.schema.migration_graph_broken import MigrationGraphBroken
from analyzers.rules.schema.migration_without_model import MigrationWithoutModel
from analyzers.rules.schema.parallel_migration_systems import ParallelMigrationSystems
from analyzers.rules.schema.model_without_migration import ModelWithoutMigration
from analyzers.rules.schema.type_mismatch import TypeMismatch
from analyzers.rules.schema.unknown_conflict_target import UnknownConflictTarget
from analyzers.rules.schema.unknown_model_attribute import UnknownModelAttribute
from analyzers.rules.schema.unknown_relation_in_sql import UnknownRelationInSql
from analyzers.rules.schema.value_outside_check import ValueOutsideCheck
from analyzers.rules.engine.notices import AnalysisIncomplete, BroadSuppression, SkippedFile, UnparseableFile
from analyzers.rules.risky.blocking_call_in_async import BlockingCallInAsync
from analyzers.rules.risky.depends_on_contextmanager import DependsOnContextmanager
from analyzers.rules.risky.hardcoded_secret import HardcodedSecret
from analyzers.rules.risky.http_call_without_timeout import HttpCallWithoutTimeout
from analyzers.rules.risky.jwt_verification_disabled import JwtVerificationDisabled
from analyzers.rules.risky.missing_static_directory import MissingStaticDirectory
from analyzers.rules.risky.orphan_event import OrphanEvent
from analyzers.rules.risky.orphan_queue import OrphanQueue
from analyzers.rules.risky.redis_incr_expire_race import RedisIncrExpireRace
from analyzers.rules.risky.secret_in_log import SecretInLog
from analyzers.rules.risky.subprocess_without_timeout import SubprocessWithoutTimeout
from analyzers.rules.risky.swallowed_exception import SwallowedException
from analyzers.rules.tests.patch_target_missing import PatchTargetMissing
from analyzers.rules.tests.test_calls_unknown_route import TestCallsUnknownRoute

ALL_RULES: tuple[type[Rule], ...] = (
    ModelWithoutMigration,
    MigrationWithoutModel,
    MigrationDropsUsed,
    TypeMismatch,
    ValueOutsideCheck,
    UnknownConflictTarget,
    UnknownRelationInSql,
    UnknownModelAttribute,
    MigrationGraphBroken,
    ParallelMigrationSystems,
    DialectTreesDiverge,
    DestructiveDrop,
    AddRequiredColumnWithoutDefault,
    ColumnTypeChange,
    Rename,
    BlockingIndex,
    ConstraintWithoutNotValid,
    SetNotNull,
    IrreversibleMigration,
    UniqueConstraintLock,
    ContractDuringDeploy,
    MissingRequirement,
    MissingFirstPartyModule,
    UnboundedRequirement,
    UnpinnedUrlRequirement,
    RemovedRequirementStillImported,
    ManifestVersionConflict,
    LockfileStale,
    SubprocessWithoutTimeout,
    BlockingCallInAsync,
    SwallowedException,
    RedisIncrExpireRace,
    HardcodedSecret,
    DependsOnContextmanager,
    MissingStaticDirectory,
    HttpCallWithoutTimeout,
    SecretInLog,
    JwtVerificationDisabled,
    OrphanQueue,
    OrphanEvent,
    TestCallsUnknownRoute,
    PatchTargetMissing,
    UndeclaredEnvVar,
    MissingBuildPath,
    DockerSocketMount,
    UnparseableFile,
    BroadSuppression,
    SkippedFile,
    AnalysisIncomplete,
)

FAMILIES = {
    "SCH": "Schema drift",
    "MIG": "Migration safety",
    "DEP": "Dependency drift",
    "RSK": "Risky code",
    "TST": "Tests out of date",
    "CFG": "Configuration drift",
    "UND": "Review notices",
}


def rules_by_id(rules: tuple[type[Rule], ...] = ALL_RULES) -> dict[str, type[Rule]]:
    return {rule.id: rule for rule in sorted(rules, key=lambda r: r.id)}


__all__ = ["ALL_RULES", "FAMILIES", "EngineRule", "FileRule", "PythonRule", "RepoRule", "Rule", "rules_by_id"]
