#!/usr/bin/env bash
# THE "start the platform" command: private services, dev keys, then the API in Development mode.
# Usage: deploy/local/run.sh [dotnet run args]; listens on $TRADING_URLS (default http://127.0.0.1:5080).
set -euo pipefail

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
echo "starting the API on $ASPNETCORE_URLS (services keep running; stop them with: bash deploy/local/services.sh stop)"
exec dotnet run --project src/Trading.Api -c Release "$@"
