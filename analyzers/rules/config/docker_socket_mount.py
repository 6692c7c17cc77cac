"""CFG003: a compose service that mounts the Docker socket."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.deps.yaml_nodes import compose, elements, get, is_compose_file, items, line, scalar
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.rules.base import FileRule
from undertow.analyzers.rules.cases import Case

SOCKET = "/var/run/docker.sock"


class DockerSocketMount(FileRule):
    """## What it does
    Flags a Docker Compose service that mounts `/var/run/docker.sock` (short or long volume
    syntax).

    ## Why is this bad?
    Access to the Docker socket is root on the host: any code execution in that container
    (a dependency, a template injection, a pickle) can start a privileged container and take
    over the machine and every other service on it.

    ## Example
    ```yaml
    services:
      worker:
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock
    ```

    ## Use instead
    Run the work without Docker-in-Docker, or put a socket proxy that allows only the needed
    API calls (read-only, no `POST /containers/create`) between the service and the daemon.
    """

    id = "CFG003"
    name = "docker-socket-mount"
    severity = Severity.WARNING
    fix = "do not mount the Docker socket; use a restricted socket proxy if the API is really needed"

    @classmethod
    def applies_to(cls, path: str) -> bool:
        return is_compose_file(path)

    def check(self, ctx: FileContext) -> Iterable[Finding]:
        root = compose(ctx.source)
        if root is None:
            ctx.notices.append((1, f"could not parse {ctx.path}: not valid YAML"))
            return
        for service, body in items(get(root, "services")):
            for volume in elements(get(body, "volumes")):
                source = scalar(volume) or scalar(get(volume, "source")) or ""
                if SOCKET in source or source.startswith("/run/docker.sock"):
                    message = (
                        f"service {service} mounts the Docker socket ({source.split(':')[0]}): "
                        f"whoever runs code in it is root on the host; {self.fix}"
                    )
                    yield self.report(ctx.path, message, f"{service}:docker.sock", line=line(volume))


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_MOUNT = "services:\n  worker:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"

INVALID = [
    Case(head={"docker-compose.yml": _MOUNT}, expect=[("CFG003", "docker-compose.yml", 4)]),
    Case(
        head={
            "deploy/docker-compose.prod.yml": "services:\n  agent:\n    volumes:\n"
            "      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n"
        },
        expect=[("CFG003", "deploy/docker-compose.prod.yml", 4)],
    ),
]
VALID = [
    Case(head={"docker-compose.yml": "services:\n  web:\n    volumes: [./data:/data]\n"}),
    # an old mount in a file the change touches elsewhere is pre-existing
    Case(
        base={"compose.yml": _MOUNT},
        head={"compose.yml": _MOUNT + "  b:\n    image: x\n"},
        changed={"compose.yml": [5, 6]},
    ),
]
