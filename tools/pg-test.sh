#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the server's tests, on a loopback port, in a temp folder.
#   tools/pg-test.sh start   prints the base URL to export as CREDITDESK_TEST_PG
#   tools/pg-test.sh stop    stops it and removes the folder
# As root it runs the cluster as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
DIR=${PG_TEST_DIR:-/tmp/creditdesk-pg-test}
PORT=${PG_TEST_PORT:-54329}

bin() {
  local b
  b=$(command -v "$1" 2>/dev/null || true)
  [ -z "$b" ] && b=$(ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1)
  [ -n "$b" ] || { echo "pg-test: $1 not found (apt-get install postgresql)" >&2; exit 1; }
  echo "$b"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    local u=postgres
    id "$u" >/dev/null 2>&1 || u=nobody
    chown -R "$u" "$DIR"
    su -s /bin/sh "$u" -c "$*"
  else
    sh -c "$*"
  fi
}

case "${1:-}" in
  start)
    if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ]; then apt-get install -y -q postgresql >/dev/null; else sudo apt-get install -y -q postgresql >/dev/null; fi
    fi
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$DIR"
    as_pg "$(bin initdb) -D $DIR/data -U creditdesk --auth=trust -E UTF8 >$DIR/initdb.log 2>&1"
    as_pg "$(bin pg_ctl) -D $DIR/data -l $DIR/server.log -w -o \"-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null"
    echo "postgres://creditdesk@127.0.0.1:$PORT"
    ;;
  stop)
    if [ -d "$DIR/data" ]; then
      as_pg "$(bin pg_ctl) -D $DIR/data -m fast -w stop >/dev/null" || true
    fi
    rm -rf "$DIR"
    ;;
  *) echo "usage: tools/pg-test.sh start|stop" >&2; exit 2 ;;
esac
