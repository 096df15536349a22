#!/bin/sh
# One-shot job (temporalio/admin-tools): make sure the namespace the services and the worker use
# exists, and register the custom search attributes operators filter on in the Web UI.
#   TEMPORAL_ADDRESS              host:port of the frontend (temporal:7233)
#   TEMPORAL_NAMESPACE            namespace to create (default: default)
#   TEMPORAL_RETENTION            retention of closed workflows (default: 720h)
#   TEMPORAL_SEARCH_ATTRIBUTES    space-separated Name=Type pairs, e.g. "ZcYear=Int ZcSeries=Keyword";
#                                 keep in line with the search attributes the workflows upsert.
set -eu

: "${TEMPORAL_ADDRESS:?}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_RETENTION:-720h}"

attempt=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 30 ]; then
        echo "Temporal at $TEMPORAL_ADDRESS did not become healthy" >&2
        exit 1
    fi
    sleep 2
done

temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 \
    || temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"

for pair in ${TEMPORAL_SEARCH_ATTRIBUTES:-}; do
    name="${pair%%=*}"
    type="${pair#*=}"
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" \
        --name "$name" --type "$type" 2>/dev/null \
        || echo "search attribute $name already registered (or rejected); continuing"
done
echo "Temporal namespace '$NAMESPACE' is ready"
