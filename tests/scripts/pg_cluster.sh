#!/bin/sh
# A private, throw-away PostgreSQL + PostGIS cluster for the PostGIS store tests and benchmark.
#
#   pg_cluster.sh start STATE_FILE   initdb into a fresh temporary directory, start `postgres`
#                                    listening only on a Unix socket inside that directory,
#                                    create the template database "bw_template" with PostGIS
#                                    and the database "borderwatch_test" from it, then write
#                                    STATE_FILE (key=value lines, see below).
#   pg_cluster.sh stop STATE_FILE    stop that server and delete its directory (no-op when
#                                    STATE_FILE does not exist).
#
# STATE_FILE lines:  dir=<temporary directory>
#                    conninfo=PG:host=<socket dir> port=<port> user=bw_test dbname=borderwatch_test
#                    unavailable=<reason>   (only with exit 77: the tests then skip, otherwise
#                                            a missing server fails them)
# Roles: bw_test (superuser, trusted), and the group bw_password_auth whose members must
# give a password (scram-sha-256) - tests create such members to check password handling.
#
# Exit status: 0 ok, 1 failure, 77 PostgreSQL or PostGIS not installed (CTest skips).
# Never touches a server it did not start: no TCP listener, its own socket directory.
# As root (initdb refuses to run as root) the cluster runs as the `postgres` system user.
# Environment: PG_BINDIR (directory of initdb/pg_ctl/postgres) overrides the search;
#              BW_PG_OPTS adds server options (e.g. "-c shared_buffers=512MB" for benchmarks).
set -eu

usage() {
    echo "usage: pg_cluster.sh start|stop STATE_FILE" >&2
    exit 2
}
[ $# -eq 2 ] || usage
action=$1
state=$2

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
        echo "$PG_BINDIR"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return 0
        fi
    fi
    # Debian/Ubuntu keep the server binaries out of PATH; prefer the newest version.
    # shellcheck disable=SC2012 # version directories are plain numbers
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

stop_cluster() {
    [ -f "$state" ] || return 0
    dir=$(sed -n 's/^dir=//p' "$state")
    bindir=$(sed -n 's/^bindir=//p' "$state")
    runas=$(sed -n 's/^runas=//p' "$state")
    if [ -n "$dir" ] && [ -d "$dir/data" ]; then
        # "immediate": the data is thrown away anyway, so skip the shutdown checkpoint.
        if [ -n "$runas" ]; then
            runuser -u "$runas" -- "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
                >/dev/null 2>&1 || true
        else
            "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    fi
    case "$dir" in
        */bwpg.*) rm -rf "$dir" ;;
    esac
    rm -f "$state"
}

case "$action" in
stop)
    stop_cluster
    exit 0
    ;;
start) ;;
*) usage ;;
esac

# A previous run that was interrupted before its cleanup left a server behind: stop it.
stop_cluster

unavailable() {
    echo "SKIPPED(postgresql): pg_cluster: $1 - the PostGIS tests skip" >&2
    printf 'unavailable=%s\n' "$1" >"$state"
    exit 77
}

if ! bindir=$(find_bindir); then
    unavailable "PostgreSQL server binaries (initdb, postgres) not found; install postgresql-15 (scripts/setup)"
fi
version=$("$bindir/postgres" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/')
sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$version")
if [ ! -f "$sharedir/extension/postgis.control" ]; then
    unavailable "PostGIS is not installed for PostgreSQL $version; install postgresql-$version-postgis-3 (scripts/setup)"
fi

runas=""
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "pg_cluster: running as root and no 'postgres' user to run the server as" >&2
        exit 1
    fi
    runas=postgres
fi
run() {
    if [ -n "$runas" ]; then
        runuser -u "$runas" -- "$@"
    else
        "$@"
    fi
}

dir=$(mktemp -d -t bwpg.XXXXXXXX)
[ -n "$runas" ] && chown "$runas" "$dir"
chmod 700 "$dir"
if [ -n "$runas" ] && ! runuser -u "$runas" -- test -w "$dir"; then
    rm -rf "$dir"
    echo "pg_cluster: user '$runas' cannot reach $dir; set TMPDIR to a directory every" \
        "user may traverse" >&2
    exit 1
fi
# Write the state file first, so `stop` cleans up even when start fails half way.
printf 'dir=%s\nbindir=%s\nrunas=%s\n' "$dir" "$bindir" "$runas" >"$state"

fail() {
    echo "pg_cluster: $1" >&2
    [ -f "$dir/server.log" ] && tail -n 20 "$dir/server.log" >&2
    stop_cluster
    exit 1
}

port=5432
user=bw_test
run "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; fail "initdb failed"; }

# Members of bw_password_auth authenticate with a password; the line goes first because
# pg_hba.conf is read top down (everything else stays trusted).
run sh -c "{ echo 'local all +bw_password_auth scram-sha-256'; cat '$dir/data/pg_hba.conf'; } \
    >'$dir/data/pg_hba.new' && mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'" ||
    fail "cannot edit pg_hba.conf"

# pg_ctl hands -o to a shell command line: keep it on one line (a newline would end the
# command before its log redirection).
opts="-c listen_addresses='' -c unix_socket_directories='$dir' -p $port"
# Durability is pointless for a throw-away cluster: fsync off makes it several times faster.
opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
opts="$opts -c max_wal_size=2GB ${BW_PG_OPTS:-}"
run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "$opts" start >/dev/null ||
    fail "server did not start"

psql() {
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$user" "$@"
}
psql -d postgres -c "CREATE ROLE bw_password_auth NOLOGIN" >/dev/null ||
    fail "CREATE ROLE failed"
psql -d postgres -c "CREATE DATABASE bw_template" >/dev/null ||
    fail "CREATE DATABASE failed"
psql -d bw_template -c "CREATE EXTENSION postgis" >/dev/null ||
    fail "CREATE EXTENSION postgis failed"
psql -d postgres -c "ALTER DATABASE bw_template WITH is_template true" >/dev/null ||
    fail "ALTER DATABASE failed"
psql -d postgres -c "CREATE DATABASE borderwatch_test TEMPLATE bw_template" >/dev/null ||
    fail "CREATE DATABASE failed"

printf 'conninfo=PG:host=%s port=%s user=%s dbname=borderwatch_test\n' \
    "$dir" "$port" "$user" >>"$state"
echo "pg_cluster: PostgreSQL $version + PostGIS running on socket $dir (port $port)"
