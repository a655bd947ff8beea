#!/bin/sh
# The image's entrypoint (also run as it is by test/e2e/containers.e2e.spec.ts).
#   entrypoint.sh [serve]   apply the database migrations (`wg-enroll migrate`, the step the tests
#                           use), then exec the service, so SIGTERM reaches it directly
#   entrypoint.sh agent …   exec the hub agent (it never touches the database)
#   entrypoint.sh <other>   exec `wg-enroll <other>` (migrate, openapi, help)
# A failed migration stops the container with a non-zero exit code; the service never starts.
#
# START_FAILURE_DELAY (seconds; the image sets 5, unset means 0): a start that fails here, before
# the service runs (no DATABASE_URL, no database, a refused migration, SECRET_KEY missing where
# DATA_DIR cannot hold a generated one), waits this long before exiting. Docker's restart
# policies back off on their own; podman's restart at once, which without the wait would be a
# tight loop of failing starts.
set -eu

fail() {
  code=$1
  shift
  [ "$#" -eq 0 ] || echo "entrypoint: $*" >&2
  sleep "${START_FAILURE_DELAY:-0}"
  exit "$code"
}

app_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$app_dir"

command=${1:-serve}
[ "$#" -gt 0 ] && shift

case "$command" in
  serve)
    if [ -z "${DATABASE_URL:-}" ] && [ -z "${DATABASE_URL_FILE:-}" ]; then
      fail 2 "DATABASE_URL (or DATABASE_URL_FILE) is required in a container"
    fi
    # Without SECRET_KEY the service generates DATA_DIR/secret.key, which a read-only root (or
    # any unwritable DATA_DIR) cannot take; replicas must share one key anyway.
    data_dir=${DATA_DIR:-.data}
    key_home=$data_dir
    [ -e "$key_home" ] || key_home=$(dirname -- "$data_dir")
    if [ -z "${SECRET_KEY:-}" ] && [ -z "${SECRET_KEY_FILE:-}" ] && [ ! -f "$data_dir/secret.key" ] && [ ! -w "$key_home" ]; then
      fail 2 "SECRET_KEY (or SECRET_KEY_FILE) is required: DATA_DIR $data_dir is not writable, so no key can be generated there (openssl rand -base64 32)"
    fi
    echo "entrypoint: applying database migrations" >&2
    node bin/wg-enroll.js migrate || fail "$?"
    exec node bin/wg-enroll.js serve "$@"
    ;;
  *)
    exec node bin/wg-enroll.js "$command" "$@"
    ;;
esac
