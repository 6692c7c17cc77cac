"""The sample worker: pops jobs from the queue and runs them."""

import json
import logging
import os

import redis

log = logging.getLogger(__name__)


def handle(raw: bytes) -> None:
    job = json.loads(raw)
    log.info("job %s", job["id"])


def main() -> None:
    queue = redis.Redis.from_url(os.environ["REDIS_URL"])
    while True:
        _key, raw = queue.blpop("jobs")
        handle(raw)


if __name__ == "__main__":
    main()
