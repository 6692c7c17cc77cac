"""Renderers of a review: text for terminals, JSON, SARIF, and GitHub workflow commands."""

from __future__ import annotations

from collections.abc import Callable

from undertow.analyzers.core.engine import Report
from undertow.app.output import github, json_format, sarif, text

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}

__all__ = ["RENDERERS", "Report"]
