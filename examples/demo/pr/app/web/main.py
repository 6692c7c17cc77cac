"""The sample web service: accepts jobs and queues them for the worker."""

import json
import os

import redis
from fastapi import FastAPI
from pydantic import BaseModel

from app.db import Session
from app.models import Job
from app.web.health import disk_usage

app = FastAPI()
queue = redis.Redis.from_url(os.environ["REDIS_URL"])


class JobIn(BaseModel):
    type: str
    src: str
    dst: str
    callback_url: str | None = None


@app.post("/jobs", status_code=202)
def create_job(body: JobIn) -> dict[str, int]:
    with Session.begin() as session:
        job = Job(type=body.type, src=body.src, dst=body.dst, callback_url=body.callback_url)
        session.add(job)
        session.flush()
        job_id = job.id
    queue.rpush("jobs", json.dumps({"id": job_id, "type": body.type, "src": body.src, "dst": body.dst}))
    return {"id": job_id}


@app.get("/health")
def health() -> dict[str, str]:
    return {"disk": disk_usage()}
