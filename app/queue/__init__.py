"""The review queues: in-process (`coordinator.py`) and Redis-backed (`redis_queue.py`), the delivery
dedupe in front of them, and the lifecycle every queued review runs under (retries, deadline)."""
