"""The emulator's former import path: it lives in app/dev/emulator.py (dev tooling apart from
production code). Kept for tests/app/test_redis_outage.py until it imports the new path."""

from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator

__all__ = ["EmulatedGitHub", "Faults", "PullRequest", "create_emulator"]
