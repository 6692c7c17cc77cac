"""GitHub's OpenAPI description (shared/github/openapi-subset.json) as a request validator:
every request the App makes must match an operation and its JSON request-body schema."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

# OpenAPI 3.0 schemas are not plain JSON Schema (`nullable`, ...): validate with its dialect.
from openapi_schema_validator import OAS30Validator

SPEC = Path(__file__).resolve().parents[2] / "shared/github/openapi-subset.json"


# Operations the App uses that the stored subset lacks, transcribed from GitHub's description
# (operationId repos/get-collaborator-permission-level; schema repository-collaborator-permission:
# "permission" is the legacy base role, maintain mapped to write and triage to read; "role_name"
# the role itself).
EXTRA_PATHS = {
    "/repos/{owner}/{repo}/collaborators/{username}/permission": {
        "get": {
            "operationId": "repos/get-collaborator-permission-level",
            "summary": "Get repository permissions for a user",
            "responses": {
                "200": {
                    "description": "if user has admin permissions",
                    "content": {
                        "application/json": {
                            "schema": {
                                "title": "Repository Collaborator Permission",
                                "type": "object",
                                "properties": {
                                    "permission": {"type": "string"},
                                    "role_name": {"type": "string"},
                                    "user": {
                                        "type": "object",
                                        "nullable": True,
                                        "properties": {
                                            "login": {"type": "string"},
                                            "id": {"type": "integer"},
                                            "type": {"type": "string"},
                                        },
                                        "required": ["login", "id", "type"],
                                    },
                                },
                                "required": ["permission", "role_name", "user"],
                            }
                        }
                    },
                },
                "404": {"$ref": "#/components/responses/not_found"},
            },
        }
    }
}


@lru_cache(maxsize=1)
def spec() -> dict:
    data = json.loads(SPEC.read_text())
    data["paths"] = {**data["paths"], **EXTRA_PATHS}
    return data


def _template(path: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


def operation(method: str, path: str) -> tuple[str, dict] | None:
    for template, operations in spec()["paths"].items():
        if _template(template).match(path) and method.lower() in operations:
            return template, operations[method.lower()]
    return None


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def request_errors(method: str, path: str, body) -> list[str]:
    """Why a request does not fit GitHub's description (empty when it does)."""
    found = operation(method, path)
    if found is None:
        return [f"{method} {path}: no such operation in the OpenAPI description"]
    template, op = found
    if body is None:
        return []
    if "application/json" not in op.get("requestBody", {}).get("content", {}):
        return [f"{method} {path}: the operation takes no JSON body"]
    # The whole description as the root, so that its "#/components/..." references resolve.
    root = {
        **spec(),
        "$ref": _pointer("paths", template, method.lower(), "requestBody", "content", "application/json", "schema"),
    }
    validator = OAS30Validator(root)
    return [f"{method} {path}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def response_errors(method: str, path: str, status: int, body) -> list[str]:
    """Why a response body does not fit the operation's response schema (empty when it does)."""
    found = operation(method, path)
    if found is None:
        return [f"{method} {path}: no such operation"]
    template, op = found
    response = op["responses"].get(str(status))
    if response is None:
        return [f"{method} {path}: status {status} is not documented"]
    pointer_parts = ["paths", template, method.lower(), "responses", str(status)]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = spec()["components"]["responses"][name]
        pointer_parts = ["components", "responses", name]
    if "application/json" not in response.get("content", {}):
        return []
    root = {**spec(), "$ref": _pointer(*pointer_parts, "content", "application/json", "schema")}
    return [
        f"{method} {path} {status}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in OAS30Validator(root).iter_errors(body)
    ]
