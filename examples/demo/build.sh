#!/usr/bin/env bash
# Build the demo repository: `main` holds examples/demo/base, branch `feature/transcode` adds
# examples/demo/pr on top. Usage: examples/demo/build.sh TARGET_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: build.sh TARGET_DIR}
rm -rf "$target"
mkdir -p "$target"
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.com
export GIT_AUTHOR_DATE=2025-02-03T12:00:00Z GIT_COMMITTER_DATE=2025-02-03T12:00:00Z
git -C "$target" init -q -b main
# Only the sample's own files: bytecode a tool may have left beside them is not part of it.
copy() { cp -R "$1/." "$target/" && find "$target" -name __pycache__ -prune -exec rm -rf {} +; }
copy "$here/base"
git -C "$target" add -A
git -C "$target" commit -q -m "Sample service: a web API queueing jobs, a worker running them"
git -C "$target" checkout -q -b feature/transcode
copy "$here/pr"
git -C "$target" add -A
git -C "$target" commit -q -m "Transcode videos in the worker and call the job's callback URL when done"
echo "$target"
