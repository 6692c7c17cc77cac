"""Which image runs which code with which manifest: Dockerfiles, compose services and config."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict

from undertow.analyzers.core.limits import MAX_LINE_CHARS, too_deep
from undertow.analyzers.deps.yaml_nodes import compose, elements, get, is_compose_file, items, scalar
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.facts.indexes import file_index

_DOCKERFILE = re.compile(r"(^|/)(Dockerfile([.-][^/]*)?|[^/]+\.[Dd]ockerfile)$")
_PIP_R = re.compile(r"(?:-r|--requirement)[=\s]+(\S+)")  # starts only at -r: each run scanned once
# `pip install ... .[extras]` within one command of a RUN line (up to `&`, `;` or `|`). The
# former single pattern, `pip3?\s+install\b[^&;|]*?\s...`, rescanned the rest of the command
# from every "pip": quadratic in a line of repeated `pip install`. Now the first `pip install`
# of each command is found, and the project argument searched once after it.
_COMMAND_SEPARATOR = re.compile(r"[&;|]")
_PIP_INSTALL = re.compile(r"pip3?+\s++install\b")
_PROJECT_ARG = re.compile(r"\s(-e\s++)?['\"]?\.(\[[^\]\[]++\])?['\"]?(?:\s|$)")
_WRAPPERS = frozenset(
    {
        "exec",
        "uv",
        "poetry",
        "pipenv",
        "run",
        "pdm",
        "opentelemetry-instrument",
        "ddtrace-run",
        "newrelic-admin",
        "run-program",
        "tini",
        "--",
        "dumb-init",
    }
)
_SYNC = re.compile(r"\b(uv\s++sync|poetry\s++install|pdm\s++install|pipenv\s++install)\b")


@dataclass
class Image:
    name: str  # "docker/worker.Dockerfile" or "service worker (docker-compose.yml)"
    dockerfile: str
    manifests: list[str] = field(default_factory=list)  # repo paths
    extras: list[str] = field(default_factory=list)
    entries: list[tuple[str, str]] = field(default_factory=list)  # (kind "module"|"file", value)
    commands: list[str] = field(default_factory=list)
    # Repository paths (files or directories) the Dockerfile copies in, but for the whole context.
    copied: list[str] = field(default_factory=list)


class DockerfileJson(TypedDict):
    """``dockerfile_facts``: what a Dockerfile copies, installs and runs, as cached (JSON).
    Read decoded, as ``DockerfileFacts`` (``dockerfile_index``)."""

    copies: list[list[str | int]]  # [source, destination, "COPY" | "ADD", line]
    installs: list[list[str]]  # ["requirements", path] or ["project", extras]
    commands: list[str]  # CMD / ENTRYPOINT, as one line each


class ComposeServiceJson(TypedDict):
    """One service of a compose file (``compose_facts``), as cached (JSON). Read decoded, as
    ``ComposeService`` (``compose_services``)."""

    service: str
    file: str
    context: str | None  # the build context, None without ``build``
    dockerfile: str | None
    image: str | None
    command: str | None


class Copy(NamedTuple):
    """A ``COPY``/``ADD`` of a Dockerfile: one source (an instruction with several gives one each)."""

    source: str
    destination: str
    instruction: str  # "COPY" | "ADD"
    line: int


class Install(NamedTuple):
    """What a ``RUN`` line installs: a requirements file, or the local project."""

    kind: str  # "requirements" | "project"
    target: str  # the requirements file's in-image path, or the project's extras ("" for none)


@dataclass(frozen=True)
class DockerfileFacts:
    """What a Dockerfile copies, installs and runs (decoded from its ``DockerfileJson``)."""

    copies: tuple[Copy, ...]
    installs: tuple[Install, ...]
    commands: tuple[str, ...]  # CMD / ENTRYPOINT, as one line each

    @classmethod
    def decode(cls, raw: DockerfileJson) -> DockerfileFacts:
        return cls(
            copies=tuple(Copy._make(c) for c in raw["copies"]),
            installs=tuple(Install._make(i) for i in raw["installs"]),
            commands=tuple(raw["commands"]),
        )


class ComposeService(NamedTuple):
    """One service of a compose file (decoded from its ``ComposeServiceJson``)."""

    service: str
    file: str
    context: str | None  # the build context, None without ``build``
    dockerfile: str | None
    image: str | None
    command: str | None


def dockerfile_index(facts: RevisionFacts) -> dict[str, DockerfileFacts]:
    """``{path: facts}`` of every Dockerfile of the revision (the cached index, decoded once)."""

    def build(_snapshot: object) -> dict[str, DockerfileFacts]:
        index = file_index(facts, "dockerfile-facts", is_dockerfile, dockerfile_facts)
        return {path: DockerfileFacts.decode(raw) for path, raw in index.items()}

    return facts.local("dockerfiles", build)


def compose_services(facts: RevisionFacts) -> list[ComposeService]:
    """Every service of every compose file of the revision (the cached index, decoded once)."""

    def build(_snapshot: object) -> list[ComposeService]:
        index = file_index(facts, "compose-services", is_compose_file, compose_facts)
        return [ComposeService(**raw) for services in index.values() for raw in services]

    return facts.local("compose-services", build)


def is_dockerfile(path: str) -> bool:
    return bool(_DOCKERFILE.search(path))


def dockerfile_facts(path: str, text: str) -> DockerfileJson:
    copies: list[list[str | int]] = []
    installs: list[list[str]] = []
    commands: list[str] = []
    for instruction, rest, line in instructions(text):
        if instruction in ("COPY", "ADD"):
            args = _args(rest)
            if args and not any(a.startswith("--from") for a in args):
                args = [a for a in args if not a.startswith("--")]
                copies += [[src, args[-1], instruction, line] for src in args[:-1]]
        elif instruction == "RUN":
            installs += [["requirements", m] for m in _PIP_R.findall(rest)]
            if (extras := _project_install(rest)) is not None:
                installs.append(["project", extras])
            elif _SYNC.search(rest):
                installs.append(["project", ""])
        elif instruction in ("CMD", "ENTRYPOINT"):
            commands.append(" ".join(_args(rest)))
    return {"copies": copies, "installs": installs, "commands": commands}


def _project_install(run: str) -> str | None:
    """The extras of the first `pip install .` / `pip install -e ".[dev]"` of a RUN line ("" for
    none), or None when it installs no local project."""
    commands = _COMMAND_SEPARATOR.split(run)
    for number, command in enumerate(commands):
        pip = _PIP_INSTALL.search(command)
        if pip is None:
            continue
        # A separator right after the "." is no end of the argument ("." then "&&" is).
        text = command if number == len(commands) - 1 else command + "\0"
        if (arg := _PROJECT_ARG.search(text, pip.end())) is not None:
            return (arg.group(2) or "").strip("[]")
    return None


def compose_facts(path: str, text: str) -> list[ComposeServiceJson]:
    root = compose(text)
    here = posixpath.dirname(path)
    services: list[ComposeServiceJson] = []
    for name, body in items(get(root, "services")):
        build = get(body, "build")
        context = dockerfile = None
        if build is not None:
            context = posixpath.normpath(posixpath.join(here, scalar(build) or scalar(get(build, "context")) or "."))
            dockerfile = posixpath.normpath(posixpath.join(context, scalar(get(build, "dockerfile")) or "Dockerfile"))
        command_node = get(body, "command")
        command = scalar(command_node) or " ".join(scalar(n) or "" for n in elements(command_node))
        services.append(
            {
                "service": name,
                "file": path,
                "context": context,
                "dockerfile": dockerfile,
                "image": scalar(get(body, "image")),
                "command": command or None,
            }
        )
    return services


def entry_points(command: str) -> list[tuple[str, str]]:
    """Modules or files a CMD/command line starts: python -m, uvicorn, gunicorn, celery, arq..."""
    found: list[tuple[str, str]] = []
    for part in re.split(r"&&|\|\||;", command):
        try:
            tokens = shlex.split(part)
        except ValueError:
            tokens = part.split()
        if not tokens:
            continue
        if tokens[0] in ("sh", "bash", "/bin/sh", "/bin/bash") and "-c" in tokens:
            index = tokens.index("-c")
            if index + 1 < len(tokens):
                found += entry_points(tokens[index + 1])
            continue
        # Wrappers and VAR=value words before the program (an index: slicing the list once per
        # word was quadratic in a command of many assignments).
        start = 0
        while start < len(tokens) and (tokens[start] in _WRAPPERS or "=" in tokens[start]):
            start += 1
        tokens = tokens[start:]
        if not tokens:
            continue
        program = posixpath.basename(tokens[0])
        args = tokens[1:]
        if program.startswith("python"):
            if "-m" in args and args.index("-m") + 1 < len(args):
                module = args[args.index("-m") + 1]
                if module in ("uvicorn", "gunicorn", "celery", "hypercorn", "arq", "flask", "fastapi"):
                    found += entry_points(" ".join([module, *args[args.index("-m") + 2 :]]))
                else:
                    found.append(("module", module))
            else:
                script = next((a for a in args if a.endswith(".py")), None)
                if script:
                    found.append(("file", script.lstrip("./")))
        elif program in ("uvicorn", "gunicorn", "hypercorn", "daphne", "granian"):
            # Positional arguments only: an option's value (`--bind 0.0.0.0:8000`, `-c gunicorn.conf.py`)
            # is no application, and the application is a dotted name (`config.wsgi:application`).
            positional = [
                a
                for i, a in enumerate(args)
                if not a.startswith("-") and (i == 0 or args[i - 1] not in _SERVER_VALUE_OPTIONS) and "=" not in a
            ]
            targets = [a for a in positional if _dotted(a.split(":")[0])]
            target = next((a for a in targets if ":" in a), None)
            target = target or next((a for a in targets if "." in a and not a.endswith(_CONFIG_SUFFIXES)), None)
            if target:
                found.append(("module", target.split(":")[0]))
        elif program == "celery":
            for i, arg in enumerate(args):
                if arg in ("-A", "--app") and i + 1 < len(args):
                    found.append(("module", args[i + 1].split(":")[0]))
                elif arg.startswith("--app="):
                    found.append(("module", arg.split("=", 1)[1].split(":")[0]))
        elif program == "arq" and args:
            target = next((a for a in args if not a.startswith("-")), None)
            if target:
                found.append(("module", target.rsplit(".", 1)[0]))
        elif program == "fastapi" and len(args) >= 2 and args[0] in ("run", "dev"):
            found.append(("file", args[1].lstrip("./")))
        elif program == "flask":
            for i, arg in enumerate(args):
                if arg == "--app" and i + 1 < len(args):
                    found.append(("module", args[i + 1].split(":")[0]))
    return found


# Options of the ASGI/WSGI servers that take a value in the next word.
_SERVER_VALUE_OPTIONS = frozenset(
    {
        "-b", "--bind", "-c", "--config", "-k", "--worker-class", "-w", "--workers", "-t", "--timeout",
        "--host", "--port", "--chdir", "--app-dir", "--log-level", "--log-config", "--env-file", "-e", "--env",
        "--access-logfile", "--error-logfile", "--log-file", "--pid", "--threads", "--uds", "--root-path",
        "-u", "--user", "-g", "--group", "-n", "--name", "--worker-connections", "--max-requests",
        "--forwarded-allow-ips", "--certfile", "--keyfile", "--ssl-keyfile", "--ssl-certfile", "--interface",
    }
)  # fmt: skip
_CONFIG_SUFFIXES = (".py", ".conf", ".toml", ".ini", ".cfg", ".json", ".yaml", ".yml")


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def instructions(text: str) -> Iterator[tuple[str, str, int]]:
    """(INSTRUCTION, arguments, first line) of a Dockerfile, continuation lines joined.

    An instruction with a physical line longer than MAX_LINE_CHARS is left out."""
    parts: list[str] = []
    start, skipped = 0, False
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not parts:
            if not stripped or stripped.startswith("#"):
                continue
            start, skipped = number, False
        if len(stripped) > MAX_LINE_CHARS:
            skipped, stripped = True, "\\" if stripped.endswith("\\") else "-"
        if stripped.endswith("\\"):
            parts.append(stripped[:-1] + " ")
            continue
        parts.append(stripped)
        logical = "".join(parts)
        parts = []
        if skipped:
            continue
        instruction, _, rest = logical.partition(" ")
        yield instruction.upper(), rest.strip(), start


def _args(rest: str) -> list[str]:
    import json

    # Exec form; JSON nested deeper than MAX_DEPTH (json reads it by recursion) is no exec
    # form, like any other invalid JSON.
    if rest.startswith("[") and not too_deep(rest, "json"):
        try:
            value = json.loads(rest)
            return [str(v) for v in value] if isinstance(value, list) else []
        except (ValueError, RecursionError):
            pass
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


# -- process managers and scripts ---------------------------------------------------------------

_PROCFILE_LINE = re.compile(r"([A-Za-z0-9_.-]++)[ \t]*+:[ \t]*+(.*)")
_SECTION = re.compile(r"\[([^\]\n]*+)\]")
_COMMAND_KEY = re.compile(r"command[ \t]*+[=:][ \t]*+(.*)")
# What separates the words of a command line, for finding the scripts it runs.
_WORD_BREAK = re.compile(r"[\s'\"`;&|()=]++")
_SHELL_KEYWORD = re.compile(r"(?:then|else|do)\s++")


class ProcessCommand(NamedTuple):
    """A process of a Procfile or a ``[program:x]`` of a supervisord configuration (cached as
    ``[name, command]``)."""

    name: str
    command: str


def script_index(facts: RevisionFacts) -> dict[str, tuple[str, ...]]:
    """``{path: commands}`` of every shell script of the revision (the cached index, decoded once)."""

    def build(_snapshot: object) -> dict[str, tuple[str, ...]]:
        index = file_index(facts, "shell-commands", is_shell_script, script_commands)
        return {path: tuple(commands) for path, commands in index.items()}

    return facts.local("shell-scripts", build)


def procfile_index(facts: RevisionFacts) -> dict[str, tuple[ProcessCommand, ...]]:
    """``{path: processes}`` of every Procfile of the revision."""

    def build(_snapshot: object) -> dict[str, tuple[ProcessCommand, ...]]:
        index = file_index(facts, "procfile", is_procfile, procfile_commands)
        return {path: tuple(ProcessCommand._make(p) for p in processes) for path, processes in index.items()}

    return facts.local("procfiles", build)


def supervisor_index(facts: RevisionFacts) -> dict[str, tuple[ProcessCommand, ...]]:
    """``{path: programs}`` of every configuration file with supervisord ``[program:x]`` sections."""

    def build(_snapshot: object) -> dict[str, tuple[ProcessCommand, ...]]:
        index = file_index(facts, "supervisor-programs", is_process_config, supervisor_programs)
        return {path: tuple(ProcessCommand._make(p) for p in programs) for path, programs in index.items() if programs}

    return facts.local("supervisor-programs", build)


def is_shell_script(path: str) -> bool:
    return path.endswith(".sh")


def is_procfile(path: str) -> bool:
    return posixpath.basename(path) == "Procfile"


def is_process_config(path: str) -> bool:
    """A file that may hold supervisord ``[program:x]`` sections: any ``.conf``, and ``.ini``
    files under a path that says supervisor (``/etc/supervisord.d/*.ini``)."""
    name = posixpath.basename(path)
    return name.endswith(".conf") or (name.endswith(".ini") and "supervisor" in path.lower())


def script_commands(path: str, text: str) -> list[str]:
    """The command lines of a shell script (continuations joined, comments and the shebang
    dropped; a line longer than MAX_LINE_CHARS is left out)."""
    commands: list[str] = []
    parts: list[str] = []
    skipped = False
    for raw in text.splitlines():
        if len(raw) > MAX_LINE_CHARS:
            skipped, raw = True, "\\" if raw.endswith("\\") else ""
        line = raw.strip()
        if not parts and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        logical = " ".join(parts)
        parts = []
        if skipped:
            skipped = False
            continue
        comment = logical.find(" #")
        logical = (logical if comment < 0 else logical[:comment]).strip()
        if keyword := _SHELL_KEYWORD.match(logical):
            logical = logical[keyword.end() :]
        if logical:
            commands.append(logical)
    return commands


def procfile_commands(path: str, text: str) -> list[list[str]]:
    """``[process, command]`` of each line of a Procfile (``web: gunicorn app.wsgi``)."""
    found: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or len(line) > MAX_LINE_CHARS:
            continue
        if match := _PROCFILE_LINE.fullmatch(line):
            found.append([match.group(1), match.group(2).strip()])
    return found


def supervisor_programs(path: str, text: str) -> list[list[str]]:
    """``[program, command]`` of each ``[program:x]`` section of a supervisord configuration."""
    found: list[list[str]] = []
    program: str | None = None
    for raw in text.splitlines():
        if len(raw) > MAX_LINE_CHARS:
            continue
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if section := _SECTION.match(line):
            name = section.group(1).strip()
            program = name.split(":", 1)[1].strip() if name.startswith("program:") else None
            continue
        if program is not None and (command := _COMMAND_KEY.match(line)):
            value = command.group(1).split(" ;", 1)[0].strip()
            if value:
                found.append([program, value])
    return found


def script_paths(command: str) -> list[str]:
    """The shell scripts a command line may run: ``/entrypoint.sh``, ``sh ./bin/start.sh``, and
    paths without an extension (``/start``, ``./bin/run``), which are scripts when the file
    they name starts with a shell's ``#!`` (``shebang_script_commands``)."""
    found = []
    for word in _WORD_BREAK.split(command):
        if word.endswith(".sh") and len(word) > 3:
            found.append(word)
        elif "/" in word and "." not in posixpath.basename(word) and posixpath.basename(word):
            found.append(word)
    return found


def shebang_script_commands(path: str, text: str) -> list[str]:
    """``script_commands`` of a file without an extension that starts with a shell's ``#!``
    (``#!/bin/bash``, ``#!/usr/bin/env sh``); nothing for any other file."""
    first = text[: text.find("\n")] if "\n" in text else text
    if not first.startswith("#!") or len(first) > 200:
        return []
    interpreter = posixpath.basename(first[2:].split()[-1]) if first[2:].split() else ""
    if interpreter not in ("sh", "bash", "dash", "ash", "zsh"):
        return []
    return script_commands(path, text)


def runs_supervisord(command: str) -> bool:
    return any(posixpath.basename(word) == "supervisord" for word in _WORD_BREAK.split(command))


def supervisord_config(command: str) -> str | None:
    """The in-image path of the configuration ``supervisord -c PATH`` names, if any."""
    words = command.split()
    # The options of the first supervisord of the line (one pass: later ones are not looked at).
    start = next((i for i, word in enumerate(words) if posixpath.basename(word) == "supervisord"), None)
    if start is None:
        return None
    rest = words[start + 1 :]
    for at, option in enumerate(rest):
        if option in ("&&", "||", ";", "|", "&"):
            break
        value = rest[at + 1] if at + 1 < len(rest) else ""
        if option in ("-c", "--configuration") and value:
            return value.strip("'\"")
        if option.startswith("--configuration="):
            return option.split("=", 1)[1].strip("'\"")
        if option.startswith("-c") and len(option) > 2:
            return option[2:].strip("'\"")
    return None
