#!/bin/sh
# Runs once, when the postgres:18 container initialises an empty data directory
# (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
#
# One database and one login role per service: a service can connect to its own database only,
# never to another's. Temporal gets its own role and its two databases (schema set up by the
# temporal-schema job). Passwords arrive through the container environment from the operator's
# .env file; nothing here has a default.
set -eu

: "${ZC_ORG_DB_PASSWORD:?}" "${ZC_APPLICATION_DB_PASSWORD:?}" "${ZC_REVIEW_DB_PASSWORD:?}"
: "${ZC_PLAGIARISM_DB_PASSWORD:?}" "${TEMPORAL_DB_PASSWORD:?}"

create_role() {
    # psql variables (:"name" / :'literal') quote identifiers and literals for us.
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v role="$1" -v password="$2" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
SQL
}

create_database() {
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v db="$1" -v owner="$2" <<'SQL'
CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT ALL ON DATABASE :"db" TO :"owner";
SQL
}

create_role zc_org "$ZC_ORG_DB_PASSWORD"
create_database zc_org zc_org

create_role zc_application "$ZC_APPLICATION_DB_PASSWORD"
create_database zc_application zc_application

create_role zc_review "$ZC_REVIEW_DB_PASSWORD"
create_database zc_review zc_review

create_role zc_plagiarism "$ZC_PLAGIARISM_DB_PASSWORD"
create_database zc_plagiarism zc_plagiarism

create_role temporal "$TEMPORAL_DB_PASSWORD"
create_database temporal temporal
create_database temporal_visibility temporal
