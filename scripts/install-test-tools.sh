#!/usr/bin/env bash
# Install the outside tools some tests drive for real (Debian or Ubuntu, as root): without them
# `npm test` reports those tests as skipped; `.ci/run` installs them all and accepts no skip.
#
#   sudo bash scripts/install-test-tools.sh                  # all three
#   sudo bash scripts/install-test-tools.sh chromium torch   # or some: chromium, slurm, torch
#
#   chromium  Debian's chromium, which playwright-core drives (browsers cannot be downloaded here):
#             test/web-e2e.test.ts, test/report-browser.test.ts
#   slurm     a one-node Slurm cluster on localhost (scripts/slurm-cluster.sh install):
#             test/slurm-backend.test.ts, test/slurm-fallback.test.ts
#   torch     Debian's PyTorch (python3-torch, with OpenBLAS for speed) for the reference trainer:
#             test/trainer-smoke.test.ts
#
# Each is skipped when already there; apt-get's output is shown only when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "install-test-tools.sh: needs root (sudo bash scripts/install-test-tools.sh)" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || { echo "install-test-tools.sh: needs apt-get (Debian or Ubuntu)" >&2; exit 1; }

updated=0
apt_install() { # PACKAGE...: quiet unless it fails
  local log
  log=$(mktemp)
  if ! { { [ "$updated" = 1 ] || apt-get update -q; } && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "install-test-tools.sh: apt-get could not install $*" >&2
    exit 1
  fi
  updated=1
  rm -f "$log"
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(slurm torch chromium)
for tool in "${tools[@]}"; do
  case "$tool" in
    slurm) bash scripts/slurm-cluster.sh install ;;
    torch) /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || apt_install python3-torch libopenblas0-pthread ;;
    chromium) [ -x /usr/bin/chromium ] || apt_install chromium ;;
    *) echo "install-test-tools.sh: unknown tool \"$tool\"; expected chromium, slurm or torch" >&2; exit 2 ;;
  esac
done
