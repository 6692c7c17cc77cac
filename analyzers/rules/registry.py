"""The rule registry: every rule Undertow ships, listed explicitly. Importing it imports every
rule (and libcst): `rules.catalogue` knows the same rules without importing them."""

from __future__ import annotations

from undertow.analyzers.rules.base import Rule
from undertow.analyzers.rules.config.docker_socket_mount import DockerSocketMount
from undertow.analyzers.rules.config.missing_build_path import MissingBuildPath
from undertow.analyzers.rules.config.undeclared_env_var import UndeclaredEnvVar
from undertow.analyzers.rules.dependencies.lockfile_stale import LockfileStale
from undertow.analyzers.rules.dependencies.manifest_version_conflict import ManifestVersionConflict
from undertow.analyzers.rules.dependencies.missing_first_party_module import MissingFirstPartyModule
from undertow.analyzers.rules.dependencies.missing_requirement import MissingRequirement
from undertow.analyzers.rules.dependencies.removed_requirement_still_imported import RemovedRequirementStillImported
from undertow.analyzers.rules.dependencies.unbounded_requirement import UnboundedRequirement
from undertow.analyzers.rules.dependencies.unpinned_url_requirement import UnpinnedUrlRequirement
from undertow.analyzers.rules.engine.notices import AnalysisIncomplete, BroadSuppression, SkippedFile, UnparseableFile
from undertow.analyzers.rules.migrations.add_required_column_without_default import AddRequiredColumnWithoutDefault
from undertow.analyzers.rules.migrations.blocking_index import BlockingIndex
from undertow.analyzers.rules.migrations.column_type_change import ColumnTypeChange
from undertow.analyzers.rules.migrations.constraint_without_not_valid import ConstraintWithoutNotValid
from undertow.analyzers.rules.migrations.contract_during_deploy import ContractDuringDeploy
from undertow.analyzers.rules.migrations.destructive_drop import DestructiveDrop
from undertow.analyzers.rules.migrations.irreversible_migration import IrreversibleMigration
from undertow.analyzers.rules.migrations.rename import Rename
from undertow.analyzers.rules.migrations.set_not_null import SetNotNull
from undertow.analyzers.rules.migrations.unique_constraint_lock import UniqueConstraintLock
from undertow.analyzers.rules.risky.blocking_call_in_async import BlockingCallInAsync
from undertow.analyzers.rules.risky.depends_on_contextmanager import DependsOnContextmanager
from undertow.analyzers.rules.risky.hardcoded_secret import HardcodedSecret
from undertow.analyzers.rules.risky.http_call_without_timeout import HttpCallWithoutTimeout
from undertow.analyzers.rules.risky.jwt_verification_disabled import JwtVerificationDisabled
from undertow.analyzers.rules.risky.missing_static_directory import MissingStaticDirectory
from undertow.analyzers.rules.risky.orphan_event import OrphanEvent
from undertow.analyzers.rules.risky.orphan_queue import OrphanQueue
from undertow.analyzers.rules.risky.redis_incr_expire_race import RedisIncrExpireRace
from undertow.analyzers.rules.risky.secret_in_log import SecretInLog
from undertow.analyzers.rules.risky.subprocess_without_timeout import SubprocessWithoutTimeout
from undertow.analyzers.rules.risky.swallowed_exception import SwallowedException
from undertow.analyzers.rules.schema.dialect_trees_diverge import DialectTreesDiverge
from undertow.analyzers.rules.schema.migration_drops_used import MigrationDropsUsed
from undertow.analyzers.rules.schema.migration_graph_broken import MigrationGraphBroken
from undertow.analyzers.rules.schema.migration_without_model import MigrationWithoutModel
from undertow.analyzers.rules.schema.model_without_migration import ModelWithoutMigration
from undertow.analyzers.rules.schema.nullability_mismatch import NullabilityMismatch
from undertow.analyzers.rules.schema.parallel_migration_systems import ParallelMigrationSystems
from undertow.analyzers.rules.schema.type_mismatch import TypeMismatch
from undertow.analyzers.rules.schema.unknown_conflict_target import UnknownConflictTarget
from undertow.analyzers.rules.schema.unknown_model_attribute import UnknownModelAttribute
from undertow.analyzers.rules.schema.unknown_relation_in_sql import UnknownRelationInSql
from undertow.analyzers.rules.schema.value_outside_check import ValueOutsideCheck
from undertow.analyzers.rules.testing.patch_target_missing import PatchTargetMissing
from undertow.analyzers.rules.testing.test_calls_unknown_route import TestCallsUnknownRoute

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
    NullabilityMismatch,
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
