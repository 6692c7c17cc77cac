"""The sample worker: pops jobs from the queue and runs them."""

import json
import logging
import os
import subprocess as sp

import redis
from transcode_presets import ffmpeg_args

from app.db import Session
from app.models import Job
from app.worker.notify import job_done

log = logging.getLogger(__name__)


def handle(raw: bytes) -> None:
    job = json.loads(raw)
    log.info("job %s", job["id"])
    if job["type"] == "transcode":
        transcode(job["id"], job["src"], job["dst"])


def transcode(job_id: int, src: str, dst: str) -> None:
    try:
        sp.run(["ffmpeg", "-y", "-i", src, *ffmpeg_args("web-720p"), dst], check=True)
    except Exception:
        pass
    with Session.begin() as session:
        job = session.get(Job, job_id)
        job.status = "done"
        if job.callback_url:
            job_done(job.callback_url, job_id, dst)


def main() -> None:
    queue = redis.Redis.from_url(os.environ["REDIS_URL"])
    while True:
        _key, raw = queue.blpop("jobs")
        handle(raw)


if __name__ == "__main__":
    main()
