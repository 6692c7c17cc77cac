"""CFG002: a compose file, Dockerfile or script naming a path the repository does not have."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import TypedDict

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.core.limits import MAX_DEPTH, MAX_LINE_CHARS
from undertow.analyzers.core.snapshot import Entry
from undertow.analyzers.deps.services import dockerfile_index
from undertow.analyzers.deps.yaml_nodes import compose, elements, get, is_compose_file, items, line, scalar, scalars
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.facts.indexes import file_index
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case

_SCRIPT = re.compile(r"(\.sh|\.bash|(^|/)Makefile|\.mk|(^|/)justfile|(^|/)\.github/workflows/[^/]+\.ya?ml)$")
# `docker compose ... -f FILE` / `--file FILE`: the former single pattern,
# `docker[- ]compose\b[^\n]*?(?:\s-f...)`, rescanned the rest of the line from every
# "docker compose" (quadratic in a line repeating it). Now each "docker compose" is found, then
# the first option after it, each search going on from where the last one ended.
_DOCKER_COMPOSE = re.compile(r"docker[- ]compose\b")
_COMPOSE_FILE_OPTION = re.compile(r"(?:\s-f\s*+|\s--file[=\s]+)([^\s;&|]++)")


class _ComposeRefs(TypedDict):
    refs: list[list[str | int]]  # [kind, service, target path, line, "file" | "dir"]
    contexts: list[list[str]]  # [Dockerfile path, build context]


def _compose_refs(path: str, text: str) -> _ComposeRefs:
    """Build contexts, Dockerfiles, env files and bind-mounted host paths of a compose file."""
    root = compose(text)
    here = posixpath.dirname(path)
    refs: list[list[str | int]] = []
    contexts: list[list[str]] = []
    for service, body in items(get(root, "services")):
        build = get(body, "build")
        if build is not None:
            context_node = build if scalar(build) is not None else get(build, "context")
            context = scalar(context_node) or "."
            if "://" not in context and not context.startswith("git@"):
                context_path = _join(here, context)
                refs.append(["build context", service, context_path, line(context_node or build), "dir"])
                dockerfile_node = get(build, "dockerfile")
                dockerfile = _join(context_path, scalar(dockerfile_node) or "Dockerfile")
                refs.append(["dockerfile", service, dockerfile, line(dockerfile_node or build), "file"])
                contexts.append([dockerfile, context_path])
        for env_file in scalars(get(body, "env_file")) + [
            n
            for e in elements(get(body, "env_file"))
            if (n := get(e, "path")) is not None and (scalar(get(e, "required")) or "").lower() != "false"
        ]:
            refs.append(["env_file", service, _join(here, env_file.value), line(env_file), "file"])
        for volume in elements(get(body, "volumes")):
            source = scalar(volume)
            if source is not None:
                source = source.split(":", 1)[0] if ":" in source else None
            else:
                source = scalar(get(volume, "source")) if scalar(get(volume, "type")) == "bind" else None
            # Docker creates a missing host directory itself; a missing host *file* becomes an
            # empty directory and breaks the service, so only file-like sources are checked.
            if source and source.startswith(("./", "../")) and "." in posixpath.basename(source.rstrip("/")):
                refs.append(["bind-mounted file", service, _join(here, source), line(volume), "file"])
    return {"refs": refs, "contexts": contexts}


def _script_refs(path: str, text: str) -> list[list[str | int]]:
    """[FILE, line] of each `docker compose -f FILE` naming a literal path."""
    found: list[list[str | int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > MAX_LINE_CHARS or "compose" not in raw:
            continue
        for target in _compose_files(raw):
            target = target.strip("'\"")
            if "$" not in target and "{" not in target:
                found.append([target, number])
    return found


def _compose_files(line: str) -> list[str]:
    """The FILE of each `docker compose ... -f FILE` on a line (at most one per docker compose)."""
    files: list[str] = []
    position = 0
    while (command := _DOCKER_COMPOSE.search(line, position)) is not None:
        option = _COMPOSE_FILE_OPTION.search(line, command.end())
        if option is None:
            break
        files.append(option.group(1))
        position = option.end()
    return files


def _join(base: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(base, rel)) if not rel.startswith("/") else rel


class MissingBuildPath(RepoRule):
    """## What it does
    Flags paths the build or deployment names that do not exist in the repository: compose
    `build.context`/`build.dockerfile`, `env_file`, relative bind mounts, Dockerfile
    `COPY`/`ADD` sources (relative to the build context the compose file gives, else the
    Dockerfile's directory or the repository root), and `docker compose -f FILE` in scripts,
    Makefiles and workflows.

    An `env_file` that is local by design is not flagged: marked `required: false`, ignored by
    the repository's `.gitignore` files, or with a template beside it (`.env.example`,
    `.env.sample`, `.env.template`, `.env.dist`...).

    ## Why is this bad?
    The image no longer builds (`COPY failed: file not found`), or `docker compose up` stops on
    a missing `env_file`, typically discovered during a deploy, after the change merged.

    ## Example
    ```yaml
    services:
      worker:
        build: {context: ., dockerfile: docker/worker.Dockerfile}   # renamed to worker.dockerfile
    ```

    ## Use instead
    Point at the path the repository has, or restore the file.
    """

    id = "CFG002"
    name = "missing-build-path"
    severity = Severity.ERROR
    fix = "point at a path that exists at head, or restore the file"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        entries = ctx.snapshot.entries()
        dirs = _directories(entries)
        composes = file_index(ctx.facts, "compose-refs", is_compose_file, _compose_refs)
        dockerfiles = dockerfile_index(ctx.facts)
        scripts = file_index(ctx.facts, "script-refs", lambda p: bool(_SCRIPT.search(p)), _script_refs)
        ignores: dict[str, list[str]] = file_index(ctx.facts, "gitignore", _is_gitignore, _gitignore_patterns)
        contexts: dict[str, set[str]] = {}
        for path, data in composes.items():
            for dockerfile, context in data["contexts"]:
                contexts.setdefault(dockerfile, set()).add(context)
            for kind, service, target, line_no, want in data["refs"]:
                if _exists(target, want, entries, dirs):
                    continue
                if kind == "env_file" and (_has_template(target, entries) or _ignored(target, ignores)):
                    continue  # a local-only file (secrets), absent from git by design
                message = f"service {service}'s {kind} {target} does not exist in the repository; {self.fix}"
                yield self.report(path, message, f"{kind}:{service}:{target}", line=line_no)
        for path, data in dockerfiles.items():
            candidates = sorted(contexts.get(path, set())) or sorted({posixpath.dirname(path) or ".", "."})
            for source, _destination, instruction, line_no in data.copies:
                if "$" in source or "://" in source:
                    continue
                if any(
                    _exists(_join(c if c != "." else "", source.lstrip("/")), "any", entries, dirs) for c in candidates
                ):
                    continue
                where = " or ".join(f"{c}/" if c != "." else "the repository root" for c in candidates)
                message = (
                    f"{instruction} {source}: no such file or directory in the build context ({where}); {self.fix}"
                )
                yield self.report(path, message, f"{instruction}:{source}", line=line_no)
        for path, refs in scripts.items():
            for target, line_no in refs:
                options = [_join("", target), _join(posixpath.dirname(path), target)]
                if not any(_exists(o, "file", entries, dirs) for o in options):
                    message = f"docker compose -f {target}: the repository has no such file; {self.fix}"
                    yield self.report(path, message, f"compose-f:{target}", line=line_no)


def _directories(entries: Mapping[str, Entry]) -> set[str]:
    dirs = {""}
    for path in entries:
        # Every prefix of a path is a string of its own: quadratic in the path's depth, so only
        # the first MAX_DEPTH levels count (no build names a directory deeper than that).
        parts = path.split("/")[:-1][:MAX_DEPTH]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return dirs


def _exists(target: str, want: str, entries: Mapping[str, Entry], dirs: set[str]) -> bool:
    if target.startswith("/"):
        return True  # an absolute host path: not the repository's to have
    target = posixpath.normpath(target).lstrip("/") if target not in (".", "") else ""
    if target in ("", "."):
        return True
    if target.startswith(".."):
        return True  # outside the repository: cannot judge
    if any(ch in target for ch in "*?["):
        return any(fnmatch.fnmatchcase(p, target) or fnmatch.fnmatchcase(p, target + "/*") for p in entries)
    if want in ("file", "any") and target in entries:
        return True
    return want in ("dir", "any") and target in dirs


# -- local-only files: gitignored, or with a template beside them --------------------------------

# `.env` beside `.env.example`: the template is committed, the file with the secrets is not.
_TEMPLATE_WORDS = ("example", "sample", "template", "dist", "tmpl", "tpl", "default", "defaults")
_TEMPLATE_SUFFIXES = tuple(f"{sep}{word}" for word in _TEMPLATE_WORDS for sep in ".-_")


def _has_template(target: str, entries: Mapping[str, Entry]) -> bool:
    """Whether the repository has a template of ``target`` beside it (``.env.example`` for
    ``.env``, ``prod.env.sample`` for ``prod.env``...)."""
    return any(f"{target}{suffix}" in entries for suffix in _TEMPLATE_SUFFIXES)


def _is_gitignore(path: str) -> bool:
    return path == ".gitignore" or path.endswith("/.gitignore")


def _gitignore_patterns(_path: str, text: str) -> list[str]:
    """The patterns of a .gitignore file, in order (blank lines and comments dropped)."""
    patterns: list[str] = []
    for raw in text.split("\n"):
        if len(raw) > MAX_LINE_CHARS:
            continue
        pattern = raw.rstrip("\r")
        # Trailing spaces are ignored unless the last one is escaped with a backslash.
        pattern = pattern if pattern.endswith("\\ ") else pattern.rstrip(" ")
        if pattern and not pattern.startswith("#"):
            patterns.append(pattern)
    return patterns


def _ignored(target: str, ignores: Mapping[str, list[str]]) -> bool:
    """Whether the repository's .gitignore files ignore the file ``target`` (a normalised path
    inside the repository), as git decides it:

    - each .gitignore applies to the paths below its directory; a deeper file's patterns come
      after those of the files above it, and the last pattern that matches decides (``!pattern``
      re-includes);
    - a file below an ignored directory is ignored whatever the patterns say of the file: git
      does not look into an ignored directory;
    - a pattern without a slash (but a trailing one) matches a name at any depth; one with a
      leading or middle slash is anchored to its .gitignore's directory; a trailing slash matches
      directories only;
    - ``*``, ``?`` and ``[...]`` (``[!...]`` negated) match within one path segment; ``**`` as a
      whole segment matches any number of them (``**/x``, ``a/**/b``; a trailing ``/**`` matches
      everything inside).

    Not supported: backslash escapes but a leading ``\\#`` or ``\\!`` (a backslash is read as
    itself), ``[^...]`` as a negated class (read as a class holding ``^``; ``[!...]`` is), and the
    ignore sources outside the repository (``.git/info/exclude``, ``core.excludesFile``). A path
    deeper than ``MAX_DEPTH`` is never judged ignored."""
    parts = target.split("/")
    if not ignores or len(parts) > MAX_DEPTH or target.startswith(("/", "..")) or target in ("", "."):
        return False
    for depth in range(1, len(parts) + 1):
        verdict = False
        for level in range(depth):  # the .gitignore files of the ancestors, the root's first
            here = "/".join(parts[:level])
            for pattern in ignores.get(f"{here}/.gitignore" if here else ".gitignore", ()):
                matched = _gitignore_match(pattern, parts[level:depth], is_dir=depth < len(parts))
                if matched is not None:
                    verdict = matched
        if verdict:
            return True  # the file, or a directory above it
    return False


def _gitignore_match(pattern: str, path: list[str], *, is_dir: bool) -> bool | None:
    """True when ``pattern`` ignores ``path`` (segments relative to its .gitignore's directory),
    False when it re-includes it (``!pattern``), None when it does not match."""
    negated = pattern.startswith("!")
    pattern = pattern[1:] if negated else pattern
    if pattern.startswith(("\\#", "\\!")):
        pattern = pattern[1:]
    dir_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern or (dir_only and not is_dir):
        return None
    segments = pattern.lstrip("/").split("/") if "/" in pattern else ["**", pattern]
    return (not negated) if _segments_match(segments, path) else None


def _segments_match(pattern: list[str], path: list[str]) -> bool:
    """Whether glob segments (``**``: any number of segments) match path segments: a table over
    (pattern, path) positions, so no input makes it backtrack."""
    collapsed = [s for i, s in enumerate(pattern) if s != "**" or i == 0 or pattern[i - 1] != "**"]
    if sum(s != "**" for s in collapsed) > len(path):
        return False
    n = len(path)
    # ok[j]: the pattern's segments read so far match path[:j].
    ok = [True] + [False] * n
    for i, segment in enumerate(collapsed):
        if segment == "**":
            trailing = i == len(collapsed) - 1
            first = next((j for j in range(n + 1) if ok[j]), None)
            # A trailing ** matches one segment or more (everything inside), another zero or more.
            start = n + 1 if first is None else first + (1 if trailing else 0)
            ok = [j >= start for j in range(n + 1)]
        else:
            ok = [False] + [ok[j - 1] and fnmatch.fnmatchcase(path[j - 1], segment) for j in range(1, n + 1)]
    return ok[n]


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_COMPOSE = "services:\n  worker:\n    build:\n      context: .\n      dockerfile: docker/worker.Dockerfile\n"

INVALID = [
    Case(
        base={"docker-compose.yml": _COMPOSE, "docker/worker.Dockerfile": "FROM python:3.12\n"},
        head={"docker/worker.Dockerfile": None, "docker/worker.dockerfile": "FROM python:3.12\n"},
        expect=[("CFG002", "docker-compose.yml", 5)],
    ),
    Case(
        head={
            "Dockerfile": "FROM python:3.12\nCOPY requirements.txt .\n",
            "scripts/deploy.sh": "docker compose -f deploy/prod.yml pull\n",
        },
        expect=[("CFG002", "Dockerfile", 2), ("CFG002", "scripts/deploy.sh", 1)],
    ),
    # .env is local (gitignored, with its template), but .evn is neither: a typo'd path; and
    # .gitignore re-includes .env.shared, which git would then have.
    Case(
        base={".gitignore": ".env*\n!.env.shared\n!.env.example\n", ".env.example": "DB_PASSWORD=\n"},
        head={
            "compose.yml": "services:\n  db:\n    image: postgres:16\n    env_file:\n"
            "      - .env\n      - .evn\n      - .env.shared\n"
        },
        expect=[("CFG002", "compose.yml", 6), ("CFG002", "compose.yml", 7)],
    ),
]
VALID = [
    Case(
        head={
            "Dockerfile": "FROM python:3.12\nCOPY requirements.txt .\nCOPY --from=build /wheels /wheels\n",
            "requirements.txt": "redis==5.2.1\n",
        }
    ),
    # a missing path the change did not introduce is pre-existing
    Case(
        base={"compose.yml": "services:\n  web:\n    env_file: [missing.env]\n", "app/main.py": "print()\n"},
        head={"app/main.py": "print(1)\n"},
    ),
    # Local-only env files: gitignored (by name, as a directory, from a nested .gitignore), with a
    # template beside them, or optional (compose's long syntax).
    Case(
        base={
            ".gitignore": "# secrets\n.env\n/local/\n",
            "deploy/.gitignore": "**/*.secret.env\n",
            "deploy/prod.env.sample": "DB_PASSWORD=\n",
        },
        head={
            "deploy/compose.yml": "services:\n  db:\n    image: postgres:16\n    env_file:\n"
            "      - ../.env\n      - ../local/db.env\n      - db/x.secret.env\n      - prod.env\n"
            "      - path: ./override.env\n        required: false\n"
        },
    ),
]
