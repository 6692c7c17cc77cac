"""Health endpoint of the sample web service."""

import subprocess


def disk_usage() -> str:
    return subprocess.check_output(["df", "-h"], text=True)
