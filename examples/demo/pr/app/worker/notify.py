"""Tells whoever submitted a job that it is done."""

import httpx


def job_done(callback_url: str, job_id: int, dst: str) -> None:
    httpx.post(callback_url, json={"id": job_id, "status": "done", "output": dst}, timeout=10)
