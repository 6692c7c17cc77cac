"""Undertow's analysis engine: a pure library (snapshots and a change set in, findings out)."""

ANALYZER_VERSION = "0.1.0"
