#!/usr/bin/env bash
# THE "start the platform" command: private services, dev keys, then the API in Development mode.
# Usage: deploy/local/run.sh [--demo] [dotnet run args]; listens on $TRADING_URLS (default http://127.0.0.1:5080).
# --demo (or TRADING_DEMO=1): rule durations shortened to seconds by configuration, for `trading demo` and walkthroughs
# (Development only: outside it the host refuses rules weaker than the law). Values already in the environment win.
set -euo pipefail

demo="${TRADING_DEMO:-0}" args=()
for a in "$@"; do if [[ $a == --demo ]]; then demo=1; else args+=("$a"); fi; done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash deploy/local/services.sh start
bash deploy/local/keys.sh >/dev/null
# shellcheck disable=SC1091
source .data/services.env
# shellcheck disable=SC1091
source .data/keys/keys.env

export ASPNETCORE_ENVIRONMENT=Development
export ASPNETCORE_URLS="${TRADING_URLS:-http://127.0.0.1:5080}"
export Trading__Auth__DevTokens=true   # development JWTs signed with .data/keys/dev-token.key
if [[ $demo == 1 || $demo == true ]]; then
  # Exact durations instead of legal periods (RULES.md): bidding 20 s, keys 1 min. The per-tender window bounds
  # (DecryptionWindowMin/MaxMinutes, 30-120) stay: a demo tender leaves decryptionWindowMinutes unset.
  export Trading__Rules__RuleSetId="${Trading__Rules__RuleSetId:-demo@1}"
  export Trading__Rules__MinBiddingPeriod="${Trading__Rules__MinBiddingPeriod:-00:00:20}"
  export Trading__Rules__DecryptionWindow="${Trading__Rules__DecryptionWindow:-00:01:00}"
  export Trading__Rules__ClarificationLead="${Trading__Rules__ClarificationLead:-00:00:10}"
  export Trading__Rules__DocObjectionLead="${Trading__Rules__DocObjectionLead:-00:00:10}"
  echo "demo mode: rule set $Trading__Rules__RuleSetId — min bidding period $Trading__Rules__MinBiddingPeriod, decryption window" \
    "$Trading__Rules__DecryptionWindow, clarification lead $Trading__Rules__ClarificationLead, document objection lead" \
    "$Trading__Rules__DocObjectionLead (try: dotnet run --project src/Trading.Cli -- demo --url $ASPNETCORE_URLS)"
fi
echo "starting the API on $ASPNETCORE_URLS (services keep running; stop them with: bash deploy/local/services.sh stop)"
exec dotnet run --project src/Trading.Api -c Release "${args[@]}"
