#!/usr/bin/env bash
# Host integration tests: the real CLI against this machine's /proc and /sys.
# Runs every suite (each prints its own closing line) and fails if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
python3 "$here/test_cli.py" "$@" || status=1
python3 "$here/test_cli_input.py" "$@" || status=1
python3 "$here/test_dedupe_keys.py" "$@" || status=1
python3 "$here/test_threads_json.py" "$@" || status=1
python3 "$here/test_validate.py" "$@" || status=1
python3 "$here/test_warm.py" "$@" || status=1
python3 "$here/test_daemon.py" "$@" || status=1
python3 "$here/test_review_daemon.py" "$@" || status=1
python3 "$here/test_review_scan.py" "$@" || status=1
exit "$status"
