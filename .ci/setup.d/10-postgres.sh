# PostgreSQL for the store tests (sourced by .ci/run with `set -euo pipefail`, as root in CI).
# Installs PostgreSQL from Debian when missing, starts the newest cluster on loopback, creates a
# test role and database, and exports SITREP_TEST_PG. In CI (CI=true) any failure here fails
# the run, and tests/conftest_pg.py fails (not skips) the PostgreSQL tests when the server is
# missing. Outside CI, as a non-root user, this does nothing unless SITREP_TEST_PG is set.
sitrep_pg_setup() {
  local pg_user=sitrep_test pg_pass=sitrep_test pg_db=sitrep_test version port
  if [ "$(id -u)" != 0 ]; then
    echo "setup: not root: PostgreSQL not set up (set SITREP_TEST_PG to a server to test)"
    return 0
  fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q postgresql
  fi
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {f = 1} END {exit !f}'
  then
    pg_createcluster "$version" main
  fi
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" {f = 1}
                                             END {exit !f}'; then
    pg_ctlcluster "$version" main start -- -o "-c listen_addresses=127.0.0.1"
  fi
  local i
  for i in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  pg_isready -h 127.0.0.1 -p "$port"
  (cd / && runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres <<SQL
SELECT 'CREATE ROLE $pg_user LOGIN PASSWORD ''$pg_pass'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$pg_user')\gexec
SELECT 'CREATE DATABASE $pg_db OWNER $pg_user'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$pg_db')\gexec
SQL
  )
  export SITREP_TEST_PG="postgresql+psycopg://$pg_user:$pg_pass@127.0.0.1:$port/$pg_db"
  echo "setup: PostgreSQL $version on 127.0.0.1:$port, SITREP_TEST_PG exported"
}
sitrep_pg_setup
unset -f sitrep_pg_setup
