#!/bin/sh
# The image's entrypoint (also run as it is by test/e2e/containers.e2e.spec.ts).
#   entrypoint.sh [serve]   apply the database migrations (`wg-enroll migrate`, the step the tests
#                           use), then exec the service, so SIGTERM reaches it directly
#   entrypoint.sh agent …   exec the hub agent (it never touches the database)
#   entrypoint.sh <other>   exec `wg-enroll <other>` (migrate, openapi, help)
# A failed migration stops the container with a non-zero exit code; the service never starts.
set -eu

app_dir=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$app_dir"

command=${1:-serve}
[ "$#" -gt 0 ] && shift

case "$command" in
  serve)
    if [ -z "${DATABASE_URL:-}" ] && [ -z "${DATABASE_URL_FILE:-}" ]; then
      echo "entrypoint: DATABASE_URL (or DATABASE_URL_FILE) is required in a container" >&2
      exit 2
    fi
    echo "entrypoint: applying database migrations" >&2
    node bin/wg-enroll.js migrate
    exec node bin/wg-enroll.js serve "$@"
    ;;
  *)
    exec node bin/wg-enroll.js "$command" "$@"
    ;;
esac
