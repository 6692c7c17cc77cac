"""Health endpoint of the sample web service (disk usage for the status page)."""

import subprocess


def disk_usage() -> str:
    return subprocess.check_output(["df", "-h"], text=True)
