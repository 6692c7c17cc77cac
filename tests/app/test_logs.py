import io
import json
import logging

from undertow.app.logs import REDACTED, configure_logging


def test_json_lines_with_context_and_redaction():
    stream = io.StringIO()
    configure_logging("json", stream)
    try:
        logging.getLogger("undertow.review").info(
            "review published", extra={"delivery": "d-1", "repo": "o/r", "pr": 7, "token": "ghs_abc"}
        )
        line = json.loads(stream.getvalue().strip().splitlines()[-1])
    finally:
        logging.getLogger().handlers = []
    assert line["event"] == "review published" and line["level"] == "info" and line["logger"] == "undertow.review"
    assert (line["delivery"], line["repo"], line["pr"]) == ("d-1", "o/r", 7)
    assert line["token"] == REDACTED and "ghs_abc" not in stream.getvalue()
