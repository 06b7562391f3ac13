#!/usr/bin/env bash
# THE test command: private PostgreSQL + RabbitMQ, warning-free Release build, all test projects.
# Usage: deploy/local/test.sh [--stop] [dotnet test args, e.g. --filter Name~Tender]
# The services stay running afterwards (fast re-runs) unless --stop is given.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

stop=0 args=()
for a in "$@"; do if [[ $a == --stop ]]; then stop=1; else args+=("$a"); fi; done
if ((stop)); then trap 'bash deploy/local/services.sh stop' EXIT; fi

bash deploy/local/services.sh start >/dev/null
# shellcheck disable=SC1091
source .data/services.env

dotnet build Trading.sln -c Release -warnaserror

log=.data/test-output.log
set +e
dotnet test Trading.sln -c Release --no-build --logger "console;verbosity=minimal" "${args[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# One summary line per test project, e.g.
# "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: ..."
read -r passed failed skipped total < <(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /(Passed|Failed)! +- Failed: / {
    for (i = 1; i <= NF; i++) { v = $(i + 1); gsub(/,/, "", v)
      if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v
      else if ($i == "Skipped:") s += v; else if ($i == "Total:") t += v }
  }
  END { print p + 0, f + 0, s + 0, t + 0 }')

echo "$passed passed, $failed failed, $skipped skipped"
if ((stop)); then echo "stopping the services"; else echo "services still running (bash deploy/local/services.sh stop to stop them)"; fi
if ((rc != 0)); then exit "$rc"; fi
if ((failed > 0)); then exit 1; fi
if ((total == 0)); then echo "no test ran" >&2; exit 1; fi
