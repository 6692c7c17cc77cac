"""Structured logs: JSON lines (containers) or console, with secrets redacted by key name."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

_SECRET_KEY = re.compile(
    r"token|secret|password|passwd|authorization|private_key|api_key|signature|cookie", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if _SECRET_KEY.search(key):
            event[key] = REDACTED
    return event


def quiet_libraries() -> None:
    """sqlglot warns on stderr for every statement it keeps as a Command: the review already
    reports those as UND001 notices, with the file and line."""
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def configure_logging(fmt: str = "json", stream: TextIO | None = None, level: int = logging.INFO) -> None:
    """Route stdlib and structlog records through one renderer; `extra={...}` fields become keys."""
    shared: list[structlog.typing.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    quiet_libraries()
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
