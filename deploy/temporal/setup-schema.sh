#!/bin/sh
# One-shot job (temporalio/admin-tools): create or upgrade Temporal's schemas in the
# `temporal` and `temporal_visibility` databases that deploy/postgres/init-databases.sh created.
# Safe to run on every `docker compose up`: update-schema only applies missing versions.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
    echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
    sleep 2
done

sql_tool() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
    case "$db" in
        temporal) versioned="$SCHEMA_ROOT/temporal/versioned" ;;
        *) versioned="$SCHEMA_ROOT/visibility/versioned" ;;
    esac
    sql_tool --db "$db" setup-schema -v 0.0
    sql_tool --db "$db" update-schema -d "$versioned"
done
echo "Temporal schema is up to date"
