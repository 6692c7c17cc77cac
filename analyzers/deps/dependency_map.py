"""The dependency facts of a revision: manifests, images, and which manifest covers which file.

Built from per-file facts (cached per blob) of manifests, lock files, Dockerfiles, compose
files and Python imports; computed once per revision and shared by the DEP rules."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypedDict

from packaging.utils import canonicalize_name

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.limits import MAX_DEPTH
from undertow.analyzers.core.snapshot import Entry
from undertow.analyzers.deps.import_names import (
    candidate_distributions,
    imported_modules,
    is_known,
    is_stdlib,
    providers,
    provides_by_dotted_name,
    provides_by_name,
)
from undertow.analyzers.deps.manifests import is_manifest, is_project_manifest, is_requirements_file, parse_manifest
from undertow.analyzers.deps.manifests.locks import Locked, LockedJson, is_lock_file, lock_facts
from undertow.analyzers.deps.manifests.model import DEV_GROUPS
from undertow.analyzers.deps.manifests.pyproject import build_requirements
from undertow.analyzers.deps.services import (
    Copy,
    Image,
    ProcessCommand,
    compose_services,
    dockerfile_index,
    entry_points,
    procfile_index,
    runs_supervisord,
    script_index,
    script_paths,
    shebang_script_commands,
    supervisor_index,
    supervisord_config,
)
from undertow.analyzers.facts.codec import DecodedMapping
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.facts.indexes import file_facts, file_index, indexable
from undertow.analyzers.python.fact_types import ImportEdge
from undertow.analyzers.python.facts import is_test_path
from undertow.analyzers.python.index import PythonIndex, python_index


class DeclaredJson(TypedDict):
    """One declaration of a manifest as the index caches it (``manifests/model.Declared``)."""

    key: str  # the normalised name
    name: str
    line: int
    group: str
    text: str
    specifier: str
    url: str | None
    via: list[str]  # a compiled requirements file's `# via` entries
    extras: list[str]  # the extras it asks for (`dramatiq[redis]`)


class ManifestJson(TypedDict):
    """A manifest as the index caches it. Rules read it decoded, as ``ManifestFacts``."""

    declared: list[DeclaredJson]
    includes: list[list[str | int]]  # [option ("-r"/"-c"), line, target]
    problems: int  # how many lines could not be read
    opaque: bool  # what it declares could not be read (a computed setup.py install_requires)


def _manifest_json(path: str, text: str) -> ManifestJson:
    manifest = parse_manifest(path, text)
    return {
        "declared": [
            {
                "key": d.key,
                "name": d.name,
                "line": d.line,
                "group": d.group,
                "text": d.text,
                "specifier": d.specifier,
                "url": d.url,
                "via": list(d.via),
                "extras": sorted(d.extras),
            }
            for d in manifest.declared
        ],
        "includes": [list(i) for i in manifest.includes],
        "problems": len(manifest.problems),
        "opaque": manifest.opaque,
    }


class Declaration(NamedTuple):
    """One declaration of a manifest, as the dependency map keeps it (decoded from its
    ``DeclaredJson``): the fields of ``manifests/model.Declared`` that are cached, and only those
    (a ``Declared`` would claim hashes, extras and markers it no longer has)."""

    key: str  # the normalised name
    name: str  # as written
    line: int
    group: str  # "" for main dependencies, else the extra/group name
    text: str  # the requirement as written (one logical line)
    specifier: str
    url: str | None
    via: tuple[str, ...] = ()  # a compiled requirements file's `# via` entries
    extras: tuple[str, ...] = ()  # the extras it asks for (`dramatiq[redis]`)

    @property
    def requirement(self) -> str:
        """The requirement as a message or a suggestion shows it: as written, without its
        ``--hash`` options (a hash pasted into a manifest without hashes would turn on pip's
        hash-checking mode for every other line) and with its spaces collapsed."""
        return " ".join(part for part in self.text.split() if not part.startswith("--hash") and part != "\\")

    @property
    def required_by(self) -> tuple[str, ...]:
        """The distributions it is only there for: a compiled requirements file's pin whose every
        `# via` entry is another distribution (none is an input file or the project); () when
        it is declared for its own sake."""
        if not self.via or not all(_DISTRIBUTION.match(entry) for entry in self.via):
            return ()
        return tuple(canonicalize_name(entry.split("[", 1)[0]) for entry in self.via)


class ManifestInclude(NamedTuple):
    """``-r target`` / ``-c target`` of a requirements file."""

    option: str  # "-r" | "-c"
    line: int
    target: str


@dataclass(frozen=True)
class ManifestFacts:
    """A manifest of the revision (decoded from its ``ManifestJson``)."""

    declared: tuple[Declaration, ...]
    includes: tuple[ManifestInclude, ...]
    problems: int  # how many lines could not be read
    opaque: bool = False  # what it declares is unknown: it may declare anything

    @classmethod
    def decode(cls, raw: ManifestJson) -> ManifestFacts:
        return cls(
            declared=tuple(
                Declaration(
                    d["key"],
                    d["name"],
                    d["line"],
                    d["group"],
                    d["text"],
                    d["specifier"],
                    d["url"],
                    tuple(d["via"]),
                    tuple(d["extras"]),
                )
                for d in raw["declared"]
            ),
            includes=tuple(ManifestInclude._make(i) for i in raw["includes"]),
            problems=raw["problems"],
            opaque=raw["opaque"],
        )

    @property
    def declares_dependencies(self) -> bool:
        """Whether it is a manifest of dependencies at all: a pyproject.toml or setup.cfg that
        only configures tools declares none (and is not "the nearest manifest")."""
        return bool(self.declared or self.includes or self.opaque)


class DeclaredIn(NamedTuple):
    """A declaration found in some manifest of the repository (``DependencyMap.declaring``)."""

    manifest: str
    declaration: Declaration


class _Manifests(DecodedMapping[ManifestFacts]):
    """``{path: manifest}``, each manifest decoded when first looked up."""

    def _build(self, key: str, raw: Any) -> ManifestFacts:
        return ManifestFacts.decode(raw)


class _Files:
    """The regular files of a revision small enough to read, without an extension (the
    scripts a command may name as ``/start``)."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self.entries = entries

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and "." not in posixpath.basename(path) and indexable(self.entries.get(path))


class _Locks(DecodedMapping[Mapping[str, Locked]]):
    """``{path: {name: locked}}``, each lock file decoded when first looked up."""

    def _build(self, key: str, raw: dict[str, LockedJson]) -> Mapping[str, Locked]:
        return {name: Locked.decode(entry) for name, entry in raw.items()}


@dataclass
class Coverage:
    """The manifests one environment installs (one image, or the nearest manifests): together
    they must declare what a file imports."""

    manifests: list[str]
    reason: str  # "reached from docker/worker.Dockerfile (it runs app.worker.main)"
    groups: frozenset[str] | None  # None: every group counts
    image: str | None = None
    # Build-time code (a hatch build hook, what it imports): the normalised names of the build
    # requirements, which are what it runs with ([build-system] requires, the hook's dependencies).
    build: frozenset[str] | None = None

    @property
    def manifest(self) -> str:
        return "+".join(self.manifests)

    @property
    def shown(self) -> str:
        return " and ".join(self.manifests)


class Transitive(NamedTuple):
    """A distribution installed only because others depend on it (``DependencyMap.transitive``)."""

    distribution: str  # as the lock or compiled file spells it
    required_by: tuple[str, ...]  # normalised names of the distributions that depend on it
    source: str  # the lock file or compiled requirements file that says so


class Program(NamedTuple):
    """A ``[program:x]`` of a supervisord configuration an image starts."""

    conf: str  # the configuration's repository path
    name: str
    commands: list[str]  # its command, and those of the scripts it starts


class Installed(NamedTuple):
    """What one environment installs: declared, and only as others' dependencies."""

    declared: frozenset[str]
    transitive: dict[str, Transitive]


@dataclass
class Problem:
    path: str
    line: int
    module: str
    candidates: list[str]
    coverage: Coverage
    # Installed today only as another distribution's dependency (a warning, not a crash yet).
    transitive: Transitive | None = None


class DependencyMap:
    def __init__(self, facts: RevisionFacts, config: Config) -> None:
        self.facts = facts
        self.config = config
        self.index: PythonIndex = python_index(facts)
        # path -> its manifest (cached as ManifestJson, decoded when first read)
        self.manifests: Mapping[str, ManifestFacts] = _Manifests(
            file_index(facts, "manifests", is_manifest, _manifest_json)
        )
        # path -> {normalised name: what the lock says of it} (cached as LockedJson, decoded when read)
        self.locks: Mapping[str, Mapping[str, Locked]] = _Locks(
            file_index(facts, "lock-facts", is_lock_file, lambda p, t: lock_facts(t))
        )
        self._directories: set[str] | None = None
        self._hooks: dict[str, tuple[str, frozenset[str]]] | None = None
        self._reach: dict[str, set[str]] = {}
        self._installed: dict[tuple[tuple[str, ...], frozenset[str] | None], Installed] = {}
        self.images = self._images()
        # Cached per revision: it is a pass over every module name and every path.
        self.first_party: set[str] = set(
            facts.get(
                "first-party-names",
                lambda snapshot: sorted(
                    self.index.top_names | {p.split("/", 1)[0] for p in snapshot.entries() if "/" in p}
                ),
            )
        )

    # -- manifests ------------------------------------------------------------------------

    def declared(
        self, manifest: str, groups: frozenset[str] | None, seen: frozenset[str] = frozenset()
    ) -> dict[str, Declaration]:
        """{normalised name: declaration} of a manifest, following `-r` includes."""
        data = self.manifests.get(manifest)
        if data is None or manifest in seen:
            return {}
        result: dict[str, Declaration] = {}
        for included in self._included(manifest, data):
            result.update(self.declared(included, groups, seen | {manifest}))
        # `-e .` / `./lib` in a requirements file installs that project with its own (main) dependencies.
        for project in self._local_projects(manifest, data):
            result.update(self.declared(project, None if groups is None else frozenset({""}), seen | {manifest}))
        for dep in data.declared:
            if groups is None or dep.group in groups:
                result.setdefault(dep.key, dep)
        return result

    def directory_coverage(self, directory: str) -> list[Coverage]:
        """What covers a module of ``directory`` that no image runs (not a test): its nearest manifests."""
        return self._nearest(posixpath.join(directory, "__init__.py"), False)

    def also_installed(self, manifest: str) -> list[str]:
        """The manifests installing ``manifest`` installs too: its ``-r`` includes, and the project
        manifests of the local directories it installs (``-e .``)."""
        data = self.manifests[manifest]
        return self._included(manifest, data) + self._local_projects(manifest, data)

    def _included(self, manifest: str, data: ManifestFacts) -> list[str]:
        directory = posixpath.dirname(manifest)
        return [posixpath.normpath(posixpath.join(directory, t)) for option, _, t in data.includes if option == "-r"]

    def _local_projects(self, manifest: str, data: ManifestFacts) -> list[str]:
        """The project manifests (pyproject.toml, setup.py, setup.cfg) of the local directories a
        requirements file installs (``-e .``, ``./lib``, ``-e ../shared[extra]``)."""
        if not is_requirements_file(manifest):
            return []
        found = []
        for dep in data.declared:
            if dep.name or not dep.url or not _LOCAL_PATH.match(dep.url):
                continue
            target = dep.url.split("[", 1)[0]
            directory = posixpath.normpath(posixpath.join(posixpath.dirname(manifest), target))
            directory = "" if directory == "." else directory
            found += [
                path
                for name in _PROJECT_MANIFESTS
                if (path := posixpath.join(directory, name) if directory else name) in self.manifests
            ]
        return found

    def opaque(self, manifest: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether what ``manifest`` installs is unknown (it, or a manifest it pulls in, is opaque)."""
        data = self.manifests.get(manifest)
        if data is None or manifest in seen:
            return False
        if data.opaque:
            return True
        pulled = self._included(manifest, data) + self._local_projects(manifest, data)
        return any(self.opaque(other, seen | {manifest}) for other in pulled)

    def locked(self, manifest: str) -> dict[str, tuple[str, Locked]]:
        """{normalised name: (lock file, entry)} of the lock files beside ``manifest``."""
        directory = posixpath.dirname(manifest)
        found: dict[str, tuple[str, Locked]] = {}
        for path, packages in sorted(self.locks.items()):
            if posixpath.dirname(path) == directory:
                for name, locked in packages.items():
                    found.setdefault(name, (path, locked))
        return found

    def installed(self, coverage: Coverage) -> Installed:
        """What an environment's manifests install, and why (memoised per coverage)."""
        key = (tuple(coverage.manifests), coverage.groups)
        found = self._installed.get(key)
        if found is None:
            found = self._installed[key] = self._compute_installed(coverage)
        return found

    def _compute_installed(self, coverage: Coverage) -> Installed:
        declared: set[str] = set()
        transitive: dict[str, Transitive] = {}
        # Declared in a group this environment does not install (dev): not declared here, and not
        # "only there because X depends on it" either.
        elsewhere = {
            name
            for manifest in coverage.manifests
            for name, dep in self.declared(manifest, None).items()
            if not dep.required_by
        }
        for manifest in coverage.manifests:
            in_groups = self.declared(manifest, coverage.groups)
            for name, dep in in_groups.items():
                if dep.required_by:
                    transitive.setdefault(name, Transitive(dep.name, dep.required_by, manifest))
                else:
                    declared.add(name)
                    # An extra named like a distribution installs it, as a rule (`dramatiq[redis]`).
                    declared.update(canonicalize_name(extra) for extra in dep.extras)
            for name, (path, locked) in self.locked(manifest).items():
                if name in elsewhere and name not in in_groups:
                    # The manifest declares it for groups this environment does not install (a
                    # Poetry dev group); a lock that does not say why (Poetry 1.5-1.8) is no more.
                    continue
                if locked.dev and not locked.direct:
                    if coverage.groups is None:  # tests: the dev groups are installed
                        declared.add(name)
                elif locked.direct or not locked.required_by:
                    # The project's own dependency, or a lock that does not say why (Poetry's
                    # top-level packages): installed as declared.
                    declared.add(name)
                else:
                    transitive.setdefault(name, Transitive(name, locked.required_by, path))
        return Installed(
            frozenset(declared),
            {k: v for k, v in transitive.items() if k not in declared and k not in elsewhere},
        )

    def locked_whole(self, coverage: Coverage) -> bool:
        """Whether what the environment installs is known whole: a lock file beside one of its
        manifests, or a compiled requirements file (its `# via` lines), lists every distribution
        installed, transitive ones included."""
        return any(self.locked(manifest) for manifest in coverage.manifests) or any(
            dep.via for manifest in coverage.manifests for dep in self.declared(manifest, None).values()
        )

    def declaring(self, candidates: list[str]) -> list[DeclaredIn]:
        """Every (manifest, declaration) in the repository that declares one of ``candidates``."""
        found: list[DeclaredIn] = []
        for manifest in sorted(self.manifests):
            for dep in self.manifests[manifest].declared:
                if dep.key in candidates:
                    found.append(DeclaredIn(manifest, dep))
        return found

    # -- images ---------------------------------------------------------------------------

    def _images(self) -> list[Image]:
        dockerfiles = dockerfile_index(self.facts)
        services = compose_services(self.facts)
        contexts: dict[str, set[str]] = {}
        for service in services:
            if service.dockerfile and service.context is not None:  # compose_facts sets both or neither
                contexts.setdefault(service.dockerfile, set()).add(service.context)
        images: list[Image] = []
        for path, data in sorted(dockerfiles.items()):
            candidates = sorted(contexts.get(path, set())) or [posixpath.dirname(path), ""]
            image = Image(name=path, dockerfile=path)
            for kind, target in data.installs:
                if kind == "requirements":
                    manifest = self._copied(target, data.copies, candidates)
                    if manifest:
                        image.manifests.append(manifest)
                else:
                    for context in candidates:
                        # `pip install .` reads the project's pyproject.toml, setup.py and setup.cfg.
                        projects = [
                            path
                            for name in _PROJECT_MANIFESTS
                            if (path := posixpath.join(context, name) if context else name) in self.manifests
                            and (name == "pyproject.toml" or self.manifests[path].declares_dependencies)
                        ]
                        if projects:
                            image.manifests += projects
                            image.extras += [e.strip() for e in target.split(",") if e.strip()]
                            break
            commands, programs = self._run(data.commands, data.copies, candidates)
            for command in commands:
                image.commands.append(command)
                image.entries += entry_points(command)
            image.copied = self._copied_sources(data.copies, candidates)
            if image.manifests:
                images.append(image)
                # Each program supervisord starts is an environment of its own: the image's manifests.
                for program in programs:
                    entries = [entry for command in program.commands for entry in entry_points(command)]
                    if entries:
                        images.append(
                            Image(
                                name=f"the {program.name} program ({program.conf}) of {path}",
                                dockerfile=path,
                                manifests=image.manifests,
                                extras=image.extras,
                                entries=entries,
                                commands=program.commands,
                            )
                        )
        by_dockerfile = {image.dockerfile: image for image in images if image.name == image.dockerfile}
        for service in services:
            base = by_dockerfile.get(service.dockerfile or "")
            if base is not None and service.command:
                data = dockerfiles[base.dockerfile]
                candidates = sorted(contexts.get(base.dockerfile, set())) or [posixpath.dirname(base.dockerfile), ""]
                expanded = self._commands((service.command,), data.copies, candidates)
                entries = [entry for command in expanded for entry in entry_points(command)]
                if entries:
                    images.append(
                        Image(
                            name=f"the {service.service} service ({service.file})",
                            dockerfile=base.dockerfile,
                            manifests=base.manifests,
                            extras=base.extras,
                            entries=entries,
                            commands=[service.command],
                        )
                    )
        images += self._procfile_images()
        for configured in self.config.services:
            if configured.entry:
                images.append(
                    Image(
                        name=f"the {configured.name} service (.github/undertow.yml)",
                        dockerfile="",
                        manifests=[configured.manifest],
                        entries=[("module", configured.entry)],
                    )
                )
        return images

    def _procfile_images(self) -> list[Image]:
        """Each process of a Procfile, installed with the manifests of the Procfile's directory."""
        images: list[Image] = []
        for path, processes in sorted(procfile_index(self.facts).items()):
            coverage = next(iter(self._nearest(path, False)), None)
            if coverage is None:
                continue
            extras = sorted(g for g in coverage.groups or () if g)
            for process, command in processes:
                expanded = self._commands((command,), (), [posixpath.dirname(path)])
                entries = [entry for line in expanded for entry in entry_points(line)]
                if entries:
                    images.append(
                        Image(
                            name=f"the {process} process ({path})",
                            dockerfile="",
                            manifests=coverage.manifests,
                            extras=extras,
                            entries=entries,
                            commands=expanded,
                        )
                    )
        return images

    def _commands(self, commands: Iterable[str], copies: tuple[Copy, ...], contexts: list[str]) -> list[str]:
        """The commands an image runs itself: its own and those of the shell scripts they start
        (copied into the image, or beside a Procfile)."""
        return self._run(commands, copies, contexts, supervise=False)[0]

    def _run(
        self, commands: Iterable[str], copies: tuple[Copy, ...], contexts: list[str], supervise: bool = True
    ) -> tuple[list[str], list[Program]]:
        """(the commands an image runs itself, the supervisord programs it starts): scripts are
        followed (at most _MAX_COMMANDS commands in all); when one command starts supervisord,
        every ``[program:x]`` of the configurations copied into the image is a program of it."""
        found: list[str] = []
        seen: set[str] = set()
        pending = list(commands)
        supervised = False
        configured: str | None = None
        while pending and len(found) < _MAX_COMMANDS:
            command = pending.pop(0)
            found.append(command)
            if runs_supervisord(command):
                supervised = True
                named = supervisord_config(command)
                configured = configured or (named and self._source(named, copies, contexts, self._programs()))
            for word in script_paths(command):
                found_script = self._script(word, copies, contexts)
                if found_script is not None and found_script[0] not in seen:
                    seen.add(found_script[0])
                    pending += found_script[1]
        programs: list[Program] = []
        if supervised and supervise:
            # `supervisord -c PATH` reads that configuration; without it, any copied in may be it.
            sources = [configured] if configured else self._copied_sources(copies, contexts, whole=True)
            budget = _MAX_COMMANDS - len(found)
            seen_programs: set[tuple[str, str]] = set()
            for conf, entries in sorted(self._programs().items()):
                if not any(_under(conf, source) for source in sources):
                    continue
                for name, command in entries:
                    if (name, command) in seen_programs or budget <= 0 or len(programs) >= _MAX_PROGRAMS:
                        continue
                    seen_programs.add((name, command))
                    run = self._commands((command,), copies, contexts)
                    budget -= len(run)
                    programs.append(Program(conf, name, run))
        return found, programs

    def _script(self, word: str, copies: tuple[Copy, ...], contexts: list[str]) -> tuple[str, list[str]] | None:
        """(repository path, commands) of the shell script ``word`` names in the image."""
        if word.endswith(".sh"):
            path = self._source(word, copies, contexts, self._scripts())
            return (path, list(self._scripts()[path])) if path is not None else None
        # `/start`, `./bin/run`: a file of the repository, read only when a command names it.
        path = self._source(word, copies, contexts, _Files(self.facts.snapshot.entries()))
        if path is None:
            return None
        commands = file_facts(self.facts, "shebang-scripts", path, shebang_script_commands) or []
        return path, list(commands)

    def _scripts(self) -> dict[str, tuple[str, ...]]:
        return script_index(self.facts)

    def _programs(self) -> dict[str, tuple[ProcessCommand, ...]]:
        return supervisor_index(self.facts)

    def _source(self, word: str, copies: tuple[Copy, ...], contexts: list[str], known: Container[str]) -> str | None:
        """The repository path (one of ``known``) of a file a command names by its in-image path."""
        target = posixpath.normpath(word)
        relative = not word.startswith("/")
        tails: list[str] = []
        for src, dst, *_ in copies:
            source = posixpath.normpath(src)
            destination = posixpath.normpath(dst) if dst not in ("", ".", "./") else "."
            if target == destination or (relative and posixpath.basename(target) == posixpath.basename(destination)):
                tails.append(source)  # COPY start.sh /start.sh
            if not relative and target.startswith(destination.rstrip("/") + "/"):
                rest = target[len(destination.rstrip("/")) + 1 :]
                tails += [posixpath.join(source, rest), source if posixpath.basename(source) == rest else ""]
            elif relative:
                tails.append(posixpath.join(source, target))  # COPY . /app + WORKDIR /app + ./start.sh
        # An absolute path under a WORKDIR the copy was relative to (`COPY . .` in /srv): its tails.
        parts = target.lstrip("/").split("/")[:MAX_DEPTH]
        tails += ["/".join(parts[cut:]) for cut in range(len(parts))] if not relative else [target]
        for tail in tails:
            for context in contexts:
                if tail and (path := posixpath.normpath(posixpath.join(context, tail))) in known:
                    return path
        return None

    def _copied_sources(self, copies: tuple[Copy, ...], contexts: list[str], whole: bool = False) -> list[str]:
        """The repository paths (files, directories) a Dockerfile's COPY/ADD bring in; a copy of
        the whole build context is the context's path ("" for the root) only when ``whole``."""
        found: list[str] = []
        for src, *_ in copies:
            if "*" in src or "$" in src or "://" in src:
                continue
            for context in contexts:
                path = posixpath.normpath(posixpath.join(context, src)) if context else posixpath.normpath(src)
                path = "" if path == "." else path
                if path == context:
                    if whole and path not in found:
                        found.append(path)
                    break
                if self._exists(path):
                    if path not in found:
                        found.append(path)
                    break
        return found

    def _exists(self, path: str) -> bool:
        entries = self.facts.snapshot.entries()
        if path in entries:
            return True
        if self._directories is None:
            self._directories = {d for p in entries for d in _parents(p)}
        return path in self._directories

    def _copied(self, target: str, copies: tuple[Copy, ...], contexts: list[str]) -> str | None:
        """The repository path of a requirements file a Dockerfile installs by its in-image path."""
        name = posixpath.basename(target)
        for src, dst, *_ in copies:
            if posixpath.basename(src) == name or (dst.endswith("/") is False and posixpath.basename(dst) == name):
                for context in contexts:
                    path = posixpath.normpath(posixpath.join(context, src)) if context else posixpath.normpath(src)
                    if path in self.manifests:
                        return path
            elif src in (".", "./"):
                for context in contexts:
                    path = posixpath.normpath(
                        posixpath.join(
                            context, target.lstrip("/").split("/", 1)[-1] if target.startswith("/") else target
                        )
                    )
                    if path in self.manifests:
                        return path
        for context in contexts:
            path = posixpath.normpath(posixpath.join(context, name)) if context else name
            if path in self.manifests:
                return path
        # A directory copied in (`COPY ./requirements /requirements`, then `-r /requirements/prod.txt`).
        return self._source(target, copies, contexts, self.manifests)

    def _entry_file(self, kind: str, value: str) -> str | None:
        if kind == "file":
            # `python /app/manage.py` under WORKDIR /app: the path in the image, then its tails.
            parts = value.split("/")[:MAX_DEPTH]
            tails = ("/".join(parts[cut:]) for cut in range(len(parts)))
            return next((tail for tail in tails if tail in self.index.files), None)
        parts = value.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.index.by_module.get(".".join(parts[:cut]))
            if path:
                return path
        return None

    def reached(self, image: Image) -> set[str]:
        """The first-party files an image's entry points import, transitively."""
        if image.name not in self._reach:
            start = sorted({f for kind, value in image.entries if (f := self._entry_file(kind, value))})
            # Cached per revision under the entry files: the walk reads every reachable file's imports.
            self._reach[image.name] = set(
                self.facts.get(f"reach:{','.join(start)}", lambda _: sorted(self._walk(start)))
            )
        return self._reach[image.name]

    def _walk(self, start: list[str]) -> set[str]:
        edges = self.index.part("import_edges")
        seen: set[str] = set()
        stack = list(start)
        while stack:
            path = stack.pop()
            if path in seen:
                continue
            seen.add(path)
            stack += self.imported_files(edges.get(path, []))
        return seen

    def imported_files(self, imports: list[ImportEdge]) -> list[str]:
        """The first-party files that the ``(module, names)`` imports name."""
        files = []
        for module, names in imports:
            split = self.index.split(module)
            if split is None:
                continue
            target = self.index.by_module.get(module)
            if target:
                files.append(target)
                # A package's __init__ imports are run too; its submodules only when named.
            for name in names or []:
                sub = self.index.by_module.get(f"{module}.{name}")
                if sub:
                    files.append(sub)
        return files

    # -- coverage -------------------------------------------------------------------------

    def coverage(self, path: str) -> list[Coverage]:
        if (build := self._build_coverage(path)) is not None:
            return [build]
        test = is_test_path(path)
        found: list[Coverage] = []
        environments: set[tuple[tuple[str, ...], frozenset[str] | None]] = set()
        for image in self.images:
            if path in self.reached(image):
                entry = next((v for _k, v in image.entries), "")
                reason = f"reached from {image.name}" + (f" (it runs {entry})" if entry else "")
                groups = None if test else frozenset({"", *image.extras})
                manifests = _installed(image.manifests, self.manifests)
                if (tuple(manifests), groups) in environments:
                    continue  # the same environment, reached again: the same findings
                environments.add((tuple(manifests), groups))
                found.append(Coverage(manifests, reason, groups, image.name))
        if found:
            return found
        if not test and (copied := self._copied_into(path)) is not None:
            return [copied]
        return self._nearest(path, test, code=True)

    # -- build-time code ------------------------------------------------------------------

    def _build_hooks(self) -> dict[str, tuple[str, frozenset[str]]]:
        """{hook file: (its pyproject.toml, the build requirements)} of the hatch custom build
        hooks the revision's pyproject.toml files name."""
        if self._hooks is None:
            self._hooks = {}
            for manifest in sorted(self.manifests):
                if posixpath.basename(manifest) != "pyproject.toml":
                    continue
                found = file_facts(self.facts, "build-requirements", manifest, build_requirements) or {}
                directory = posixpath.dirname(manifest)
                for hook in found.get("hooks", []):
                    hook_path = posixpath.normpath(posixpath.join(directory, hook))
                    self._hooks.setdefault(hook_path, (manifest, frozenset(found.get("requires", []))))
        return self._hooks

    def _build_coverage(self, path: str) -> Coverage | None:
        """A build hook, or a file only build hooks import, is run by the build: its imports are
        the build requirements' (None for any other file)."""
        hooks = self._build_hooks()
        if not hooks:
            return None
        if path in hooks:
            manifest, requires = hooks[path]
            return Coverage([manifest], f"the hatch build hook of {manifest}", None, build=requires)
        for hook, (manifest, requires) in sorted(hooks.items()):
            reach = self._build_reach(hook)
            if path in reach and not self._imported_outside(path, reach):
                reason = f"imported by {hook}, the hatch build hook of {manifest}"
                return Coverage([manifest], reason, None, build=requires)
        return None

    def _build_reach(self, hook: str) -> set[str]:
        """The first-party files a build hook imports, transitively (through the directories it
        puts on ``sys.path`` too)."""
        edges = self.index.part("import_edges")
        seen: set[str] = set()
        stack = [hook]
        while stack:
            path = stack.pop()
            if path in seen or len(seen) >= _MAX_COMMANDS:
                continue
            seen.add(path)
            stack += self.imported_files(edges.get(path, []))
            facts = self.index.files.get(path)
            for site in facts.get("import_sites", []) if facts is not None else []:
                if not site.relative and (found := self._on_sys_path(path, site.module)) is not None:
                    stack.append(found)
        return seen

    def _imported_outside(self, target: str, reach: set[str]) -> bool:
        """Whether a file outside ``reach`` imports ``target`` (it runs with the project too)."""
        return any(
            path not in reach and target in self.imported_files(imports)
            for path, imports in self.index.part("import_edges").items()
        )

    def _on_sys_path(self, path: str, module: str) -> str | None:
        """The repository file of ``module`` in a directory ``path`` puts on ``sys.path``
        (``sys.path.insert(0, "./pkg")``, relative to the file's directory), if there is one."""
        directories = file_facts(self.facts, "sys-path-directories", path, _sys_path_directories) or []
        first = module.split(".")[0]
        entries = self.facts.snapshot.entries()
        for directory in directories:
            base = posixpath.normpath(posixpath.join(posixpath.dirname(path), directory))
            base = "" if base == "." else base
            for candidate in (f"{first}.py", f"{first}/__init__.py"):
                found = posixpath.join(base, candidate) if base else candidate
                if found in entries:
                    return found
        return None

    def _copied_into(self, path: str) -> Coverage | None:
        """Coverage of a file no entry point reaches but a Dockerfile copies in by name (its
        directory or itself; a copy of the whole context says nothing of what runs): the
        images' manifests, together (declared in one of them is enough)."""
        images = [
            image
            for image in self.images
            if image.name == image.dockerfile and any(_under(path, copied) for copied in image.copied)
        ]
        if not images:
            return None
        manifests = _installed([m for image in images for m in image.manifests], self.manifests)
        groups = frozenset({"", *(e for image in images for e in image.extras)})
        reason = "copied into " + " and ".join(image.name for image in images)
        return Coverage(manifests, reason, groups, images[0].name)

    def _nearest(self, path: str, test: bool, code: bool = False) -> list[Coverage]:
        """The nearest manifests up the tree from ``path`` (a Procfile, or Python ``code``)."""
        directory = posixpath.dirname(path)
        while True:
            # A pyproject.toml or setup.cfg that only configures tools is no manifest of dependencies.
            here = [
                m
                for m in self.manifests
                if posixpath.dirname(m) == directory
                and (is_requirements_file(m) or self.manifests[m].declares_dependencies)
            ]
            if here:
                break
            if not directory:
                return []
            directory = posixpath.dirname(directory)
        requirements = [m for m in here if is_requirements_file(m)]
        # A setup.py that computes install_requires beside requirements files reads them, as a rule.
        pyprojects = [m for m in here if is_project_manifest(m) and not (requirements and self.manifests[m].opaque)]
        main = [m for m in requirements if not _is_dev_manifest(m)]
        if code and not test and self._tooling(path, directory):
            # Repository tooling (scripts/release.py): no image runs it and the project does not
            # ship it; developers and CI run it with the project's groups and dev requirements.
            chosen = _installed(pyprojects + requirements, self.manifests)
            return [Coverage(chosen, "the nearest manifest" + ("s" if len(chosen) > 1 else ""), None)] if chosen else []
        if test:
            # Tests run with the dev tooling installed: every group and dev requirement file
            # counts; without any visible dev manifest the test tooling is declared somewhere
            # we cannot see (tox.ini, CI), so there is nothing to judge.
            dev_groups = any(d.group for m in pyprojects for d in self.manifests[m].declared)
            if not dev_groups and not any(_is_dev_manifest(m) for m in requirements):
                return []
            return [Coverage(_installed(sorted(here), self.manifests), "the nearest manifests (tests)", None)]
        chosen = _installed(pyprojects + main or requirements, self.manifests)
        groups = frozenset(
            {""} | {g for m in pyprojects for d in self.manifests[m].declared if (g := d.group) and g not in DEV_GROUPS}
        )
        return [Coverage(chosen, "the nearest manifest" + ("s" if len(chosen) > 1 else ""), groups)] if chosen else []

    def _tooling(self, path: str, root: str) -> bool:
        """Whether ``path``, covered by the manifests of ``root``, is outside every package the
        project can ship: in a directory under ``root`` (``src/`` passed over) whose top is no
        package (no ``__init__.py``), as ``scripts/`` and ``dev/`` are. A module of ``root``
        itself (``manage.py``) or of a package (``app/``, ``src/svc/``) is the project's code."""
        parts = (path[len(root) + 1 :] if root else path).split("/")
        prefix = root
        if parts[0] == "src" and len(parts) > 2:
            prefix, parts = posixpath.join(root, "src"), parts[1:]
        if len(parts) < 2:
            return False
        return f"{posixpath.join(prefix, parts[0])}/__init__.py" not in self.facts.snapshot.entries()

    def declares(self, coverage: Coverage, candidates: list[str], module: str | None = None) -> bool:
        """Whether the environment declares one of ``candidates`` (or a distribution that brings it,
        or, for a ``module`` the import table does not know, one named like it)."""
        if coverage.build is not None:
            names = coverage.build
        elif any(self.opaque(manifest) for manifest in coverage.manifests):
            return True  # one of them declares what cannot be read: it may declare anything
        else:
            names = self.installed(coverage).declared
        if any(c in names for c in candidates):
            return True
        if any(p in names for c in candidates for p in providers(c)):
            return True
        if module is None:
            return False
        if any(provides_by_dotted_name(name, module) for name in names):
            return True
        return not is_known(module) and any(provides_by_name(name, module) for name in names)

    def transitive(self, coverage: Coverage, candidates: list[str]) -> Transitive | None:
        """How an undeclared candidate is installed all the same, as another one's dependency
        (a lock file or a compiled requirements file says which); the dependent shown is one
        the environment declares, when one is."""
        if coverage.build is not None:
            return None
        installed = self.installed(coverage)
        for candidate in candidates:
            found = installed.transitive.get(candidate)
            if found is not None:
                ordered = sorted(found.required_by, key=lambda name: name not in installed.declared)
                return found._replace(required_by=tuple(ordered))
        return None

    def is_third_party(self, module: str) -> bool:
        top = module.split(".")[0]
        return (
            bool(module)
            and not is_stdlib(module)
            and top not in _BUILD_ENVIRONMENT
            and top not in self.first_party
            and top != "__main__"
        )

    def _beside(self, path: str, module: str) -> bool:
        """A module that is a file or package in the importing file's own directory: found first
        on ``sys.path`` when that file runs as a script (and by Python 2's implicit relative import)."""
        directory = posixpath.dirname(path)
        if not directory:
            return False
        first = module.split(".")[0]
        entries = self.facts.snapshot.entries()
        return f"{directory}/{first}.py" in entries or f"{directory}/{first}/__init__.py" in entries

    def problems(self, path: str) -> list[Problem]:
        """Third-party imports of ``path`` that a covering manifest does not declare."""
        facts = self.index.files.get(path)
        if facts is None or posixpath.basename(path) in _BUILD_SCRIPTS:
            return []
        coverages = None
        found = []
        for site in facts.get("import_sites", []):  # fact_types.ImportSite
            if site.optional or site.relative or not self.is_third_party(site.module):
                continue
            if self._beside(path, site.module):
                continue  # `from utils import x` next to utils.py: a script's (or Python 2's) own module
            if self._on_sys_path(path, site.module) is not None:
                continue  # a module of a directory the file puts on sys.path: first-party
            for module in imported_modules(site.module, site.names):
                if coverages is None:
                    coverages = self.coverage(path)
                candidates = candidate_distributions(module)
                for coverage in coverages:
                    if not self.declares(coverage, candidates, module):
                        transitive = self.transitive(coverage, candidates)
                        found.append(Problem(path, site.line, module, candidates, coverage, transitive))
        return found


# A `# via` entry naming a distribution (not `-r requirements.in`, `-c x.txt`, `app (pyproject.toml)`).
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*+(\[[A-Za-z0-9._,-]*+\])?$")
_PROJECT_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg")
_LOCAL_PATH = re.compile(r"^(\.{1,2}(/|\[|$)|file:\.)")

# Scripts run by the packaging tools, and modules every Python environment built by pip has.
_BUILD_SCRIPTS = {"setup.py", "noxfile.py", "fabfile.py", "conf.py"}
_BUILD_ENVIRONMENT = {"setuptools", "pkg_resources", "pip", "wheel", "_distutils_hack"}


# Bounds on the commands one image runs (scripts and supervised programs included) and on the
# supervisord programs it starts.
_MAX_COMMANDS = 1_000
_MAX_PROGRAMS = 100


# `sys.path.insert(0, "./pkg")`, `sys.path.append(os.path.join(os.path.dirname(__file__), "pkg"))`:
# the last string literal of the call names the directory.
_SYS_PATH = re.compile(r"""sys\.path\.(?:insert\(\s*-?\d+\s*,|append\()([^\n]*)""")
_STRING = re.compile(r"""["']([^"'\n]*)["']""")


def _sys_path_directories(path: str, text: str) -> list[str]:
    """The directories a Python file adds to ``sys.path`` with a string literal, as written."""
    found: list[str] = []
    if "sys.path" not in text:
        return found
    for match in _SYS_PATH.finditer(text):
        strings = _STRING.findall(match.group(1))
        if strings and "://" not in strings[-1] and strings[-1] not in found:
            found.append(strings[-1])
    return found


def _under(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or inside it ("" is the repository's root)."""
    return not directory or path == directory or path.startswith(directory + "/")


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _installed(manifests: list[str], known: Container[str]) -> list[str]:
    """What actually gets installed: a pip-compile input (x.in) is replaced by its output (x.txt)."""
    chosen = []
    for manifest in manifests:
        if manifest.endswith(".in") and manifest[:-3] + ".txt" in known:
            manifest = manifest[:-3] + ".txt"
        if manifest not in chosen:
            chosen.append(manifest)
    return chosen


def _is_dev_manifest(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return any(word in name for word in ("dev", "test", "lint", "doc", "ci", "constraint"))


def dependency_map(facts: RevisionFacts, config: Config) -> DependencyMap:
    return facts.local("dependency-map", lambda _: DependencyMap(facts, config))


def first_declaration(found: list[DeclaredIn]) -> DeclaredIn | None:
    pinned = [f for f in found if f.declaration.specifier.startswith("==")]
    first = pinned or found
    return first[0] if first else None
