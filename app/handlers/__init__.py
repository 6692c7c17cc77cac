"""Event handlers run by the worker, one module (and one gidgethub Router) per feature."""

from __future__ import annotations

from gidgethub.routing import Router

from undertow.app.handlers import checks, commands, installations, pull_request

router = Router(pull_request.router, commands.router, checks.router, installations.router)
