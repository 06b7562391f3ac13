#!/usr/bin/env bash
# Private PostgreSQL 15 + RabbitMQ 3.10 for local runs and CI: loopback only, free ports,
# data in the git-ignored .data/ folder. Usage: services.sh start|stop|status|env|rabbitmqctl ARGS
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DATA="$ROOT/.data"
ENV_FILE="$DATA/services.env"
PORTS_FILE="$DATA/ports.env"          # ports chosen at first start, reused afterwards
RMQ_DIR="$DATA/rabbitmq"
RMQ_LIB=/usr/lib/rabbitmq/bin          # the /usr/sbin wrappers switch user and drop our env vars
NODE="trading@localhost"

die() { echo "services: $*" >&2; exit 1; }
log() { echo "services: $*" >&2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# --- installation ------------------------------------------------------------------------------
install_missing() {
  local pkgs=()
  [[ -x "$(pg_bin)/initdb" ]] || pkgs+=(postgresql)
  [[ -x "$RMQ_LIB/rabbitmq-server" ]] || pkgs+=(rabbitmq-server)
  ((${#pkgs[@]})) || return 0
  log "installing ${pkgs[*]} (apt-get, output in $DATA/apt.log)..."
  local t0=$SECONDS
  # --no-install-recommends keeps RabbitMQ to Erlang's minimal set; output only on failure.
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${pkgs[@]}"; } >"$DATA/apt.log" 2>&1; then
    tail -n 30 "$DATA/apt.log" >&2; die "apt-get install ${pkgs[*]} failed"
  fi
  log "installed ${pkgs[*]} in $((SECONDS - t0)) s"
}

# --- ports -------------------------------------------------------------------------------------
port_free() {  # bind test (python3) or connect test (bash) on 127.0.0.1
  # SO_REUSEADDR as the servers use it: a port in TIME_WAIT after a stop still counts as free.
  if [[ $HAVE_PY == 1 ]]; then
    python3 -c 'import socket as s,sys; k=s.socket(); k.setsockopt(s.SOL_SOCKET,s.SO_REUSEADDR,1); k.bind(("127.0.0.1",int(sys.argv[1]))); k.listen()' "$1" 2>/dev/null
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

HAVE_PY=0; if python3 -c '' >/dev/null 2>&1; then HAVE_PY=1; fi   # a pyenv shim may exist yet fail
TAKEN=" "
pick_port() {  # $1 = variable, $2 = preferred port; keeps a set value, else a free port (fallback random 20000-44999)
  local p=$2 i
  [[ -n ${!1:-} ]] && return
  for ((i = 0; i < 200; i++)); do
    if [[ $TAKEN != *" $p "* ]] && port_free "$p"; then TAKEN+="$p "; printf -v "$1" '%s' "$p"; return; fi
    p=$((20000 + RANDOM % 25000))
  done
  die "no free TCP port found on 127.0.0.1"
}

load_ports() {  # $1 = pick: choose (new) ports where needed
  # shellcheck disable=SC1090
  if [[ -f $PORTS_FILE ]]; then source "$PORTS_FILE"; fi
  [[ ${1:-} == pick ]] || return 0
  # An epmd left behind by a crashed node would hold our port: it only quits when no node uses it.
  if ! rmq_running && [[ -n ${EPMD_PORT:-} ]]; then ERL_EPMD_PORT=$EPMD_PORT epmd -kill >/dev/null 2>&1 || true; fi
  # A stopped service whose remembered port got taken by someone else gets a new one.
  if ! pg_running && [[ -n ${PG_PORT:-} ]] && ! port_free "$PG_PORT"; then PG_PORT=""; fi
  if ! rmq_running; then
    for v in AMQP_PORT DIST_PORT EPMD_PORT; do
      if [[ -n ${!v:-} ]] && ! port_free "${!v}"; then printf -v "$v" '%s' ""; fi
    done
  fi
  TAKEN=" ${PG_PORT:-} ${AMQP_PORT:-} ${DIST_PORT:-} ${EPMD_PORT:-} "
  pick_port PG_PORT 55432
  pick_port AMQP_PORT 55672
  pick_port DIST_PORT 55673   # not 35672-35682: the CLI tools use those
  pick_port EPMD_PORT 54369   # our own epmd, so our node name never clashes with anyone else's
  printf 'PG_PORT=%s\nAMQP_PORT=%s\nDIST_PORT=%s\nEPMD_PORT=%s\n' \
    "$PG_PORT" "$AMQP_PORT" "$DIST_PORT" "$EPMD_PORT" >"$PORTS_FILE"
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_data() {
  # initdb/postgres run as the postgres user, which must reach the folder (a clone under /root
  # cannot), and the socket path must fit in 107 bytes; else keep the cluster in /var/tmp.
  local dir="$DATA/pg"
  if [[ -L $dir ]]; then readlink "$dir"; return; fi
  if [[ -d $dir ]] || { runuser -u postgres -- test -x "$DATA" && ((${#dir} < 85)); }; then
    echo "$dir"; return
  fi
  local alt
  alt="/var/tmp/trading-pg-$(echo -n "$ROOT" | sha256sum | cut -c1-12)"
  ln -s "$alt" "$dir"
  echo "$alt"
}

as_pg() { (cd / && runuser -u postgres -- "$@"); }   # its user may not be able to enter our cwd
pg_running() { [[ -f ${PGDATA_DIR:-/nonexistent}/postmaster.pid ]] && as_pg "$(pg_bin)/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1; }

pg_start() {
  local bin; bin="$(pg_bin)"
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    rm -rf "$PGDATA_DIR"; install -d -o postgres -g postgres -m 0700 "$PGDATA_DIR"
    as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C --auth=trust >"$DATA/pg-initdb.log" 2>&1 \
      || { cat "$DATA/pg-initdb.log" >&2; die "initdb failed"; }
    cat >>"$PGDATA_DIR/postgresql.conf" <<EOF
# trading: private dev/test instance (port is passed by services.sh at start)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDATA_DIR'
max_connections = 300
EOF
    cat >"$PGDATA_DIR/pg_hba.conf" <<'EOF'
local all postgres              trust
host  all postgres 127.0.0.1/32 trust
host  all all      127.0.0.1/32 scram-sha-256
EOF
  fi
  local opts="-p $PG_PORT"
  # Faster commits for throwaway test data, only when asked for.
  if [[ ${TRADING_PG_FAST:-} == 1 ]]; then opts+=" -c synchronous_commit=off"; fi
  as_pg "$bin/pg_ctl" start -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -o "$opts" -w -t 60 >/dev/null 2>&1 9>&- \
    || { tail -n 30 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL did not start (log: $PGDATA_DIR/server.log)"; }
}

pg_ready() {
  local bin i; bin="$(pg_bin)"
  for ((i = 0; i < 60; i++)); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.5
  done
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || { tail -n 30 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL not ready on port $PG_PORT after 30 s"; }
  if [[ -z $("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "select 1 from pg_database where datname = 'trading'") ]]; then
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres trading
  fi
}

# --- RabbitMQ ----------------------------------------------------------------------------------
rmq_env() {
  export HOME="$RMQ_DIR/home"                       # holds the Erlang cookie
  export RABBITMQ_NODENAME="$NODE" RABBITMQ_USE_LONGNAME=false
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$DIST_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$EPMD_PORT"
  export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  export RABBITMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
  export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"   # no management plugin
  export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"         # ignore /etc/rabbitmq's
  # The Erlang distribution listener binds to all interfaces unless told otherwise.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rmq_running() {
  local pid
  pid=$(cat "$RMQ_DIR/rabbitmq.pid" 2>/dev/null) && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

rmq_fail() {
  tail -n 30 "$RMQ_DIR"/log/*.log "$RMQ_DIR/start.log" 2>/dev/null >&2 || true
  die "RabbitMQ: $*"
}

rmq_start() {
  mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\nlog.console = false\n' "$AMQP_PORT" >"$RMQ_DIR/rabbitmq.conf"
  echo '[].' >"$RMQ_DIR/enabled_plugins"
  : >"$RMQ_DIR/rabbitmq-env.conf"
  rm -f "$RMQ_DIR/rabbitmq.pid"
  "$RMQ_LIB/rabbitmq-server" -detached >"$RMQ_DIR/start.log" 2>&1 9>&- || rmq_fail "rabbitmq-server -detached failed"
}

rmq_ready() {
  local i
  # The PID file appears a moment after -detached returns.
  for ((i = 0; i < 60; i++)); do [[ -s $RMQ_DIR/rabbitmq.pid ]] && break; sleep 0.5; done
  timeout 90 "$RMQ_LIB/rabbitmqctl" -q wait "$RMQ_DIR/rabbitmq.pid" >/dev/null 2>&1 || rmq_fail "node did not come up within 90 s"
  timeout 90 "$RMQ_LIB/rabbitmqctl" -q await_startup >/dev/null 2>&1 || rmq_fail "node did not finish booting within 90 s"
}

# --- env file ----------------------------------------------------------------------------------
write_env() {
  local pg="Host=127.0.0.1;Port=$PG_PORT;Database=trading;Username=postgres;Maximum Pool Size=200;Include Error Detail=true"
  local amqp="amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
  cat >"$ENV_FILE" <<EOF
# written by deploy/local/services.sh; source it: . .data/services.env
export ConnectionStrings__Trading="$pg"
export ConnectionStrings__RabbitMq="$amqp"
export TRADING_TEST_PG="$pg"
export TRADING_TEST_RABBITMQ="$amqp"
# how the fault tests restart the broker: the CLI of this private node
export TRADING_TEST_RABBITMQCTL="bash $ROOT/deploy/local/services.sh rabbitmqctl"
EOF
}

# --- commands ----------------------------------------------------------------------------------
setup() {
  [[ $EUID -eq 0 ]] || die "run as root: it installs packages and runs PostgreSQL as the postgres user"
  mkdir -p "$DATA"; chmod 0755 "$DATA"
  # Serialize concurrent starts; daemons are started with 9>&- so they do not inherit the lock.
  exec 9>"$DATA/services.lock"
  flock -w 300 9 || die "another services.sh holds $DATA/services.lock"
  PGDATA_DIR="$DATA/pg"
  if [[ -L $PGDATA_DIR ]]; then PGDATA_DIR="$(readlink "$PGDATA_DIR")"; fi
}

cmd_start() {
  setup
  install_missing
  PGDATA_DIR="$(pg_data)"
  load_ports pick
  rmq_env
  local t0=$SECONDS
  if pg_running; then log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else pg_start; pg_ready; log "PostgreSQL ready on 127.0.0.1:$PG_PORT ($((SECONDS - t0)) s)"; fi
  t0=$SECONDS
  if rmq_running; then log "RabbitMQ already running on 127.0.0.1:$AMQP_PORT"
  else rmq_start; rmq_ready; log "RabbitMQ ready on 127.0.0.1:$AMQP_PORT ($((SECONDS - t0)) s)"; fi
  write_env
  cat "$ENV_FILE"
}

cmd_stop() {
  local i
  setup
  [[ -f $PORTS_FILE ]] || { log "nothing to stop"; return; }
  load_ports; rmq_env
  if pg_running; then as_pg "$(pg_bin)/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w >/dev/null && log "PostgreSQL stopped"; fi
  if rmq_running; then
    timeout 60 "$RMQ_LIB/rabbitmqctl" -q stop "$RMQ_DIR/rabbitmq.pid" >/dev/null 2>&1 || log "rabbitmqctl stop failed"
    for ((i = 0; i < 60; i++)); do rmq_running || break; sleep 0.5; done   # until its ports are released
    if rmq_running; then log "RabbitMQ still running (pid $(cat "$RMQ_DIR/rabbitmq.pid"))"; else log "RabbitMQ stopped"; fi
  fi
  # The epmd on our private port was started by our node only.
  epmd -kill >/dev/null 2>&1 || true
}

cmd_status() {
  setup
  [[ -f $PORTS_FILE ]] || { echo "not started"; return 3; }
  load_ports; rmq_env
  local rc=0
  if pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT ($PGDATA_DIR)"; else echo "postgresql: stopped"; rc=3; fi
  if rmq_running; then echo "rabbitmq:   running on 127.0.0.1:$AMQP_PORT (node $NODE, epmd port $EPMD_PORT)"; else echo "rabbitmq:   stopped"; rc=3; fi
  return $rc
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  rabbitmqctl)  # e.g. services.sh rabbitmqctl list_queues: the CLI with this node's environment
    shift; setup; load_ports; rmq_env; exec "$RMQ_LIB/rabbitmqctl" "$@" 9>&- ;;
  env) [[ -f $ENV_FILE ]] || die "no $ENV_FILE yet; run: bash deploy/local/services.sh start"; cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|status|env|rabbitmqctl ARGS" >&2; exit 2 ;;
esac
