# Shared by start.sh and test.sh: make a fresh machine ready (pnpm, dependencies, NATS, PostgreSQL).
# Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"

log() { printf '\033[1;34m[switchboard]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[switchboard]\033[0m %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# Loads .env (made from .env.example on first run) without overriding what the environment sets.
load_env() {
  if [ ! -f "$ROOT/.env" ]; then
    cp "$ROOT/.env.example" "$ROOT/.env"
    log "created .env from .env.example"
  fi
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"
    if [ -z "${!key+x}" ]; then export "$line"; fi
  done < "$ROOT/.env"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then return; fi
  log "installing pnpm@$PNPM_VERSION with npm (corepack cannot verify its download here)"
  if is_root || [ -w "$(npm prefix -g)/lib" ]; then
    npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
  else
    die "pnpm $PNPM_VERSION is missing: run 'npm install -g pnpm@$PNPM_VERSION' (or with sudo) and retry"
  fi
}

ensure_deps() {
  log "installing workspace dependencies"
  (cd "$ROOT" && pnpm install --frozen-lockfile --prefer-offline --reporter=silent)
}

# host and port of a URL such as postgres://user@host:5432/db or nats://host:4222
url_host() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; echo "${u%%:*}"; }
url_port() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; [ "$u" != "${u#*:}" ] && echo "${u#*:}" || echo "$2"; }
reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_for() { # host port name
  for _ in $(seq 1 100); do reachable "$1" "$2" && return 0; sleep 0.1; done
  die "$3 did not start listening on $1:$2"
}

apt_install() { # package…
  if ! is_root; then die "missing $*: install it with 'sudo apt-get install -y $*' and retry"; fi
  log "installing $* with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_nats() {
  local host port
  host="$(url_host "$NATS_URL")"; port="$(url_port "$NATS_URL" 4222)"
  if reachable "$host" "$port"; then return; fi
  command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || apt_install nats-server
  local bin; bin="$(command -v nats-server || echo /usr/sbin/nats-server)"
  mkdir -p "$DATA/nats"
  log "starting a local NATS with JetStream on $host:$port (data in .data/nats)"
  nohup "$bin" -a "$host" -p "$port" -js -sd "$DATA/nats" >"$DATA/nats.log" 2>&1 &
  echo $! >"$DATA/nats.pid"
  wait_for "$host" "$port" NATS
}

ensure_postgres() {
  local host port
  host="$(url_host "$DATABASE_URL")"; port="$(url_port "$DATABASE_URL" 5432)"
  if reachable "$host" "$port"; then return; fi
  # A cluster installed from Debian's packages that is merely stopped: start it.
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ] && is_root; then
    log "starting the installed PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 50); do reachable "$host" "$port" && return 0; sleep 0.1; done
  fi
  # Otherwise a private cluster under .data/postgres with trust auth on loopback.
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$bindir" ]; then apt_install postgresql; bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"; fi
  local dir="$DATA/postgres" as=()
  if is_root; then as=(runuser -u postgres --); fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"; is_root && chown postgres "$dir"
    log "initialising a private PostgreSQL in .data/postgres"
    "${as[@]}" "$bindir/initdb" -D "$dir" -U postgres --auth=trust >/dev/null
  fi
  log "starting PostgreSQL on $host:$port"
  "${as[@]}" "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-h $host -p $port -k /tmp" start >/dev/null
  wait_for "$host" "$port" PostgreSQL
}

# Headless Chromium for the browser tests of the admin timeline page (Debian's package).
ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then return; fi
  if [ -x /usr/bin/chromium ]; then export CHROMIUM_PATH=/usr/bin/chromium; return; fi
  apt_install chromium
  export CHROMIUM_PATH=/usr/bin/chromium
}

prepare_machine() {
  mkdir -p "$DATA"
  load_env
  ensure_pnpm
  ensure_deps
  ensure_nats
  ensure_postgres
  # the deployment tests render the manifests with kubectl's built-in kustomize
  command -v kubectl >/dev/null 2>&1 || apt_install kubernetes-client
}
