#!/bin/sh
# One-shot job run in temporalio/admin-tools (see docker-compose.yml, service temporal-setup), once
# the Temporal frontend accepts connections. Idempotent; every `docker compose up` runs it again.
#
#  - creates the namespace with NAMESPACE_RETENTION, or raises the retention of an existing one that
#    is shorter (never lowers it). PagerDuty retries a delivery for up to 48 h; a closed incident
#    workflow must outlive that so a late duplicate is rejected instead of starting a second
#    postmortem, hence 72h;
#  - registers SEARCH_ATTRIBUTES ("Name=Type,..."). Registering an attribute that exists with the
#    same type is a no-op; with another type it fails, and so does this job.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
: "${SEARCH_ATTRIBUTES:?is empty: list the search attributes as Name=Type,...}"
ATTEMPTS="${ATTEMPTS:-90}"

to_seconds() {
  case "$1" in
    *[!0-9dhms]* | "") return 1 ;;
    *d) echo $((${1%d} * 86400)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) return 1 ;;
  esac
}
wanted=$(to_seconds "$RETENTION") || { echo "setup-namespace: NAMESPACE_RETENTION must look like 72h or 3d (got $RETENTION)" >&2; exit 1; }

n=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  n=$((n + 1))
  if [ "$n" -ge "$ATTEMPTS" ]; then
    echo "setup-namespace: Temporal at $ADDRESS is not serving after $ATTEMPTS attempts" >&2
    exit 1
  fi
  sleep 2
done

if description=$(temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" --output json 2>/dev/null); then
  current=$(printf '%s\n' "$description" | sed -n 's/.*"workflowExecutionRetentionTtl": *"\([0-9][0-9]*\)\(\.[0-9]*\)\{0,1\}s".*/\1/p' | head -n 1)
  if [ -z "$current" ] || [ "$current" -lt "$wanted" ]; then
    temporal operator namespace update --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
    echo "setup-namespace: retention of $NAMESPACE raised to $RETENTION (was ${current:-unknown}s)"
  else
    echo "setup-namespace: namespace $NAMESPACE exists, retention ${current}s >= $RETENTION"
  fi
else
  # A namespace that is still being created elsewhere makes this fail; the job fails and says so.
  temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "setup-namespace: namespace $NAMESPACE created with retention $RETENTION"
fi

old_ifs=$IFS
IFS=','
for pair in $SEARCH_ATTRIBUTES; do
  IFS=$old_ifs
  name=${pair%%=*}
  type=${pair#*=}
  if [ -z "$name" ] || [ "$name" = "$pair" ] || [ -z "$type" ]; then
    echo "setup-namespace: SEARCH_ATTRIBUTES entry '$pair' is not Name=Type" >&2
    exit 1
  fi
  # A namespace created a moment ago is not known to every Temporal service yet: retry "not found".
  n=0
  until out=$(temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" --name "$name" --type "$type" 2>&1); do
    n=$((n + 1))
    case "$out" in
      *"not found"*) [ "$n" -lt "$ATTEMPTS" ] && { sleep 2; continue; } ;;
    esac
    echo "setup-namespace: cannot register search attribute $name ($type): $out" >&2
    exit 1
  done
done
IFS=$old_ifs

# The namespace's own list is the proof: every attribute must be there before the app starts.
listed=$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" --output json)
IFS=','
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  case "$listed" in
    *"\"$name\":"*) ;;
    *) IFS=$old_ifs; echo "setup-namespace: search attribute $name is not listed in namespace $NAMESPACE" >&2; exit 1 ;;
  esac
done
IFS=$old_ifs
echo "setup-namespace: search attributes registered in $NAMESPACE: $SEARCH_ATTRIBUTES"
