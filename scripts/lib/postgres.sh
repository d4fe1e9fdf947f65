# A throwaway PostgreSQL server in a folder, for demos and benchmarks; started as Tests/Support/PostgresServer.swift starts
# the tests' one. Source this file, then:
#
#   dir=$(mktemp -d /tmp/care-record-postgres-XXXXXX)
#   pg_start "$dir"              # exports PG_BIN, PG_PORT, PG_PID, PG_PASSWORD_FILE (and PGHOST, PGPORT, PGUSER for psql)
#   "$PG_BIN/createdb" care_record
#   ... postgresql://postgres@127.0.0.1:$PG_PORT/care_record, password in $PG_PASSWORD_FILE ...
#   pg_stop "$dir"; rm -rf "$dir"
#
# The folder must be reachable by the postgres user (anywhere under /tmp is). As root the server runs as the postgres
# user (PostgreSQL refuses to run as root), otherwise as the current user. Superuser postgres: scram-sha-256 over TCP on
# 127.0.0.1, trust on the Unix socket, which sits in the folder.

# Debian's newest server binaries (/usr/lib/postgresql/<version>/bin); CARE_RECORD_POSTGRES_ROOT names another folder of
# versions, as for the tests. Prints the folder, or fails with how to install PostgreSQL.
pg_bin() {
  local root=${CARE_RECORD_POSTGRES_ROOT:-/usr/lib/postgresql} version
  for version in $(ls "$root" 2>/dev/null | grep -E '^[0-9]+$' | sort -rn); do
    if [ -x "$root/$version/bin/postgres" ]; then
      echo "$root/$version/bin"
      return 0
    fi
  done
  echo "PostgreSQL is not installed: apt-get install -y postgresql (or run scripts/setup)" >&2
  return 1
}

# Runs a server tool as the postgres user when we are root, as ourselves otherwise.
pg_as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# A TCP port on 127.0.0.1 that nothing listens on now.
pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pg_start DIR: initdb in DIR/data with a random superuser password (DIR/password), then starts the server in the
# background on a free port and waits until it accepts connections. Logs: DIR/initdb.log, DIR/server.log.
pg_start() {
  local dir=$1
  PG_BIN=$(pg_bin) || return 1
  PG_PORT=$(pg_free_port) || return 1
  PG_PASSWORD_FILE=$dir/password
  mkdir -p "$dir"
  chmod 700 "$dir"
  python3 -c 'import secrets; print(secrets.token_hex(16))' >"$PG_PASSWORD_FILE" || return 1
  chmod 600 "$PG_PASSWORD_FILE"
  touch "$dir/initdb.log" "$dir/server.log"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "running as root, but there is no postgres user to run PostgreSQL as" >&2; return 1; }
    chown -R postgres:postgres "$dir"
  fi
  if ! pg_as_server_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile "$PG_PASSWORD_FILE" --auth-local=trust \
      --auth-host=scram-sha-256 --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
    echo "initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    return 1
  fi
  # postgres runs as a child of this shell (not daemonised by pg_ctl), so that pg_stop can reap it, in a session of its
  # own, so that a Ctrl-C meant for the script does not stop it under the programs using it. fsync is off unless PG_FSYNC=on
  # (benchmarks measure durable commits): a throwaway server's data need not survive a power cut.
  local fsync=${PG_FSYNC:-off}
  pg_as_server_user setsid --wait "$PG_BIN/postgres" -D "$dir/data" -k "$dir" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
    -c fsync="$fsync" -c full_page_writes="$fsync" -c max_connections=200 >>"$dir/server.log" 2>&1 </dev/null &
  PG_PID=$!
  local tries=0
  until "$PG_BIN/pg_isready" -q -h "$dir" -p "$PG_PORT" -U postgres; do
    if ! kill -0 "$PG_PID" 2>/dev/null || [ $tries -ge 1200 ]; then
      echo "PostgreSQL did not start:" >&2
      cat "$dir/server.log" >&2
      return 1
    fi
    sleep 0.1
    tries=$((tries + 1))
  done
  export PG_BIN PG_PORT PG_PID PG_PASSWORD_FILE PGHOST=$dir PGPORT=$PG_PORT PGUSER=postgres
}

# pg_stop DIR: a fast shutdown (connections are cut), waiting until the server has gone; nothing if it is not running.
pg_stop() {
  local dir=$1 bin
  if [ -f "$dir/data/postmaster.pid" ]; then
    bin=$(pg_bin) || return 1
    pg_as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || return 1
  fi
  # Reap the server if this shell started it.
  if [ -n "${PG_PID:-}" ]; then
    wait "$PG_PID" 2>/dev/null || true
    PG_PID=
  fi
}
