#!/usr/bin/env bash
# Host integration tests: the real CLI against this machine's /proc and /sys.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/test_cli.py" "$@"
