#!/bin/sh
# One-shot job run in temporalio/admin-tools (see docker-compose.yml, service temporal-schema).
# Creates Temporal's two PostgreSQL databases and brings both schemas up to the version shipped in
# this admin-tools image, which must be the same release as temporalio/server.
#
# Safe to run on every `docker compose up`: an existing database is kept, `setup-schema -v 0.0` does
# nothing to a schema already past 0.0, and `update-schema` applies only the newer versions. That also
# makes it the upgrade step: bump both image tags (one minor version at a time), then `up`.
#
# temporal-sql-tool reads its connection from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD, so the password never appears on a command line.
set -eu

: "${SQL_PLUGIN:?}" "${SQL_HOST:?}" "${SQL_USER:?}"
: "${SQL_PASSWORD:?is empty: set POSTGRES_PASSWORD in .env}"
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"
ATTEMPTS="${ATTEMPTS:-30}"

# Postgres is reported healthy before this starts; retry briefly anyway (restarts, slow volumes).
create_database() {
  n=0
  until temporal-sql-tool --db "$1" create-database; do
    n=$((n + 1))
    if [ "$n" -ge "$ATTEMPTS" ]; then
      echo "setup-schema: cannot reach PostgreSQL at ${SQL_HOST}:${SQL_PORT:-5432} to create database $1" >&2
      exit 1
    fi
    sleep 2
  done
}

setup() {
  db="$1"
  dir="$SCHEMA_ROOT/$2/versioned"
  [ -d "$dir" ] || { echo "setup-schema: no schema directory $dir in this image" >&2; exit 1; }
  create_database "$db"
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$dir"
  echo "setup-schema: database $db is at the latest $2 schema"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
