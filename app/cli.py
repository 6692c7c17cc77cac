"""The `undertow` command: scan a change, document the rules."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from undertow.analyzers import ANALYZER_VERSION, CONFIG_PATH
from undertow.analyzers.core.errors import UserError

if TYPE_CHECKING:
    from undertow.analyzers.core.config import Config

# Only what every command needs is imported here: `--version` and `rules` must start in well under
# a second (no libcst, sqlglot or pydantic), and `scan` needs none of the service's libraries.
# The names of app/output's renderers (tests/app/test_cli.py holds the two equal).
FORMATS = ("github", "json", "sarif", "text")
# What `pip install 'undertow[app]'` adds, by import name: `serve` and `worker` need them.
APP_MODULES = ("fastapi", "uvicorn", "gidgethub", "httpx", "jwt", "pydantic_settings", "structlog", "redis", "arq")
APP_INSTALL_HINT = "pip install 'undertow[app]'"

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(UserError):
    """Bad input from the user: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too, but prints usage first
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="undertow", description="Review a change for schema, dependency and code drift.")
    parser.add_argument("--version", action="version", version=f"undertow {ANALYZER_VERSION}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    scan = sub.add_parser("scan", help="review the change between two revisions")
    scan.add_argument("--repo", default=".", help="repository path (default: .)")
    scan.add_argument(
        "--base",
        help="base revision: the change is reviewed from its merge-base with the head (default: "
        "origin/HEAD, else main or master); UPSTREAM: the current branch's upstream (@{upstream}) "
        "when it has one, else that default (what the pre-commit hooks use)",
    )
    scan.add_argument(
        "--head",
        default="HEAD",
        help="head revision (default: HEAD); WORKTREE: the working tree's uncommitted and untracked "
        "files; INDEX: the staged change, what `git commit` would commit",
    )
    scan.add_argument("--format", choices=FORMATS, default="text")
    scan.add_argument("--config", help=f"config file (default: {CONFIG_PATH} at the base revision)")
    scan.add_argument("--fail-on", choices=["error", "warning", "notice", "never"], default="error")
    scan.add_argument("--output", help="write the report to this file instead of stdout")
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write the disk cache")
    scan.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log to stderr, with the traceback of anything that failed inside Undertow (UND004)",
    )

    serve = sub.add_parser("serve", help="run the webhook service (reviews run in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    sub.add_parser("worker", help="run review workers on the Redis queue (needs REDIS_URL)")

    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("rule", nargs="?")
    rules.add_argument("--format", choices=["text", "markdown"], default="text")

    config = sub.add_parser("config", help="the configuration file: its JSON Schema, or a check of one")
    config_sub = config.add_subparsers(dest="config_command", parser_class=_Parser)
    config_sub.add_parser("schema", help=f"print the JSON Schema of {CONFIG_PATH}")
    check = config_sub.add_parser("check", help="validate a config file, with the key path of each problem")
    check.add_argument("file", nargs="?", default=CONFIG_PATH, help=f"default: {CONFIG_PATH}")
    return parser


def entry(argv: list[str] | None = None) -> int:
    """The `undertow` command: ``main`` in a process tuned for reviewing (see app.runtime)."""
    from undertow.app.runtime import tune_gc

    tune_gc()
    return main(argv)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "config":
            return _config(args, parser)
        if args.command == "serve":
            return _serve(args)
        if args.command == "worker":
            return _worker(args)
        parser.print_help()
        return EXIT_USAGE
    except UserError as exc:  # a bad revision, config file or setting (UsageError too)
        print(f"undertow: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug outside the review's own boundaries: one line, never a pass
        import logging

        logging.getLogger("undertow.analyzers").debug("internal error", exc_info=True)
        hint = (
            ""
            if "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
            else " (run with -v for the traceback)"
        )
        print(f"undertow: internal error, nothing was reviewed: {type(exc).__name__}: {exc}{hint}", file=sys.stderr)
        return EXIT_USAGE


def _require_app_extra(command: str) -> None:
    """`serve` and `worker` run the service, whose libraries are an extra of the package."""
    import importlib.util

    missing = [name for name in APP_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(
            f"undertow {command} runs the GitHub App service, which needs more than the scanner: "
            f"{APP_INSTALL_HINT} (missing: {', '.join(missing)})"
        )


def _config(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`undertow config schema` / `undertow config check [FILE]`."""
    import json

    from undertow.analyzers.core.config import config_schema
    from undertow.analyzers.rules.catalogue import catalogue

    if args.config_command == "schema":
        print(json.dumps(config_schema(sorted(catalogue())), indent=2, sort_keys=True))
        return EXIT_OK
    if args.config_command == "check":
        _load_config(args.file, None)  # a ConfigError names the file and the key path (exit 2)
        print(f"{args.file}: valid")
        return EXIT_OK
    raise UsageError("config needs a command: schema (print the JSON Schema) or check [FILE]")


def _serve(args: argparse.Namespace) -> int:
    _require_app_extra("serve")
    import asyncio

    import uvicorn

    from undertow.app.logs import configure_logging
    from undertow.app.service.server import server_config
    from undertow.app.service.settings import load_settings
    from undertow.app.service.wiring import build_service

    settings = load_settings()
    configure_logging(settings.log_format)

    async def run() -> None:
        service = await build_service(settings)
        server = uvicorn.Server(server_config(service.app, args.host, args.port))
        await server.serve()

    asyncio.run(run())
    return EXIT_OK


def _worker(args: argparse.Namespace) -> int:
    _require_app_extra("worker")
    import asyncio

    from undertow.app.logs import configure_logging
    from undertow.app.queue.lifecycle import FINISH_GRACE
    from undertow.app.queue.redis_queue import (
        MAX_TRIES,
        QUEUE,
        WORKER_FUNCTIONS,
        RedisReviews,
        ResilientWorker,
        redis_settings,
    )
    from undertow.app.service.settings import load_settings
    from undertow.app.service.wiring import github_factory, repo_cache

    settings = load_settings()
    if settings.redis_url is None:
        raise UsageError("undertow worker needs REDIS_URL (without it, `undertow serve` reviews in-process)")
    configure_logging(settings.log_format)
    queue_url = settings.redis_url

    async def run() -> None:
        import redis as sync_redis
        from arq.connections import create_pool

        from undertow.app.redis_cache import RedisFactCache

        url = queue_url.get_secret_value()
        redis = await create_pool(redis_settings(url))
        cache_url = (settings.cache_redis_url or queue_url).get_secret_value()
        facts = RedisFactCache(sync_redis.Redis.from_url(cache_url, socket_timeout=5))
        ctx = {
            "github_for": github_factory(settings, redis=redis),
            "reviews": RedisReviews(redis),
            "repos": repo_cache(settings),
            "facts": facts,
            "deadline": settings.review_deadline,
        }
        worker = ResilientWorker(
            WORKER_FUNCTIONS,
            redis_pool=redis,
            queue_name=QUEUE,
            ctx=ctx,
            max_jobs=settings.max_concurrency,
            # A review ends itself at its deadline (and completes its check run within the grace
            # after it); this only bounds one that hangs. A dead
            # worker's job is taken over after its lease (redis_queue.LEASE), not this timeout.
            job_timeout=int(settings.review_deadline + FINISH_GRACE) + 300,
            max_tries=MAX_TRIES,
        )
        await worker.async_run()

    asyncio.run(run())
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from undertow.analyzers.rules.catalogue import catalogue
    from undertow.app.docs import rule_page, rules_listing, rules_table_markdown

    if args.rule is None:
        sys.stdout.write(rules_table_markdown() if args.format == "markdown" else rules_listing())
        return EXIT_OK
    rule = catalogue().get(args.rule.upper())
    if rule is None:
        raise UsageError(f"unknown rule {args.rule!r}; `undertow rules` lists them")
    sys.stdout.write(rule_page(rule))
    return EXIT_OK


def _scan(args: argparse.Namespace) -> int:
    from undertow.analyzers.core.engine import review
    from undertow.analyzers.core.findings import Severity
    from undertow.app.cache import DiskCache
    from undertow.app.git import INDEX, WORKTREE, GitError, GitRepo, GitSnapshot
    from undertow.app.output import RENDERERS

    _scan_logging(args.verbose)
    with GitRepo(args.repo) as repo:
        if args.head in (WORKTREE, INDEX):
            # Uncommitted work is reviewed from the merge base of HEAD (the commit it will follow).
            head_rev = args.head
            tip = repo.head_commit()
            if tip is None:
                raise GitError(
                    f"no base to review --head {args.head} against: HEAD has no commit yet (a new repository "
                    "or an orphan branch), so there is no merge base; make the first commit without the review "
                    "(in a pre-commit hook: SKIP=undertow git commit)"
                )
        else:
            head_rev = tip = repo.resolve(args.head)
        base_ref = repo.base_ref(args.base)
        # The staged change concluding a merge is a commit whose parents are HEAD and MERGE_HEAD:
        # its merge base with the base is that commit's, so what the merge brings from the base
        # branch is not taken for the change's own work.
        base_rev = repo.merge_base(base_ref, tip, *(repo.merging() if head_rev == INDEX else ()))
        # The staged change is the index's tree, written once: its snapshot and its diff are of
        # the same tree even if something is staged while the review runs.
        head_tree = repo.index_tree() if head_rev == INDEX else head_rev
        cache = None if args.no_cache else DiskCache()
        base = repo.snapshot(base_rev, cache)
        assert isinstance(base, GitSnapshot)  # a base is a commit, never the working tree
        head = repo.snapshot(head_tree, cache, base=base)
        # The config the team has agreed to now: the base branch's tip, not the merge base (a
        # branch cut from an old commit is judged by today's rules).
        config = _load_config(args.config, base if base_ref == base_rev else repo.snapshot(base_ref, cache))
        changes = repo.changes(base_rev, head_tree)
        report = review(base, head, changes, config, cache=cache)
    if report.failures and not args.verbose:
        print(
            f"undertow: the review is incomplete: {len(report.failures)} part(s) failed inside Undertow "
            "(UND004 findings); run with -v for the tracebacks",
            file=sys.stderr,
        )
    colour = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    rendered = RENDERERS[args.format](report, base=base_rev, head=head_rev, colour=colour)
    if args.output:
        try:
            # A file name that is not UTF-8 is written back as the bytes git gave.
            Path(args.output).write_text(rendered, encoding="utf-8", errors="surrogateescape")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        try:
            sys.stdout.write(rendered)
        except UnicodeEncodeError:
            sys.stdout.write(rendered.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    if args.fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in report.findings) else EXIT_OK


def _scan_logging(verbose: bool) -> None:
    """Tracebacks of failures inside Undertow go to the log, never to the user's screen
    unless asked for: the finding (UND004) is what the user reads."""
    import logging

    engine_log = logging.getLogger("undertow.analyzers")
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("undertow: %(levelname)s %(name)s: %(message)s"))
        engine_log.handlers = [handler]
        engine_log.setLevel(logging.DEBUG)
    else:
        engine_log.handlers = [logging.NullHandler()]
    engine_log.propagate = False
    # sqlglot warns on stderr for every statement it keeps as a Command: the review already
    # reports those as UND001 notices, with the file and line.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _load_config(path: str | None, base) -> Config:
    from undertow.analyzers.core.config import Config, ConfigError, parse_config
    from undertow.analyzers.rules.catalogue import catalogue

    known = set(catalogue())
    if path is not None:
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        return parse_config(text, source=path, known_rules=known)
    data = base.read(CONFIG_PATH)
    if data is None:
        return Config()
    return parse_config(data, source=f"{CONFIG_PATH} (base revision)", known_rules=known)


if __name__ == "__main__":
    sys.exit(entry())
