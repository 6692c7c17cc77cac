"""The sample worker: pops jobs and runs them."""

import json
import logging

log = logging.getLogger(__name__)


def handle(raw: bytes) -> None:
    job = json.loads(raw)
    log.info("job %s", job["id"])
