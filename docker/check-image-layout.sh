#!/usr/bin/env bash
# Without a Docker engine: lays out the files of the image's `api` stage the way docker/Dockerfile
# does (production dependencies only, no optional ones, no install scripts; dist/, bin/,
# migrations, entrypoint) in a temp folder, runs docker/entrypoint.sh from there as an
# unprivileged user against DATABASE_URL, and checks /readyz. Proves the runtime stage's contents
# suffice; not the base image, not the build stage (dist/ comes from `npm run build` here).
#   DATABASE_URL=postgresql://… docker/check-image-layout.sh
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to a Postgres the check may migrate}"
repo=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$repo/dist/cli/main.js" ] || { echo "run npm run build first" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
app="$work/app"
mkdir -p "$app/prisma" "$app/docker"
cp "$repo/package.json" "$repo/package-lock.json" "$app/"
(cd "$app" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund >/dev/null)
cp -r "$repo/dist" "$repo/bin" "$app/"
cp -r "$repo/prisma/migrations" "$app/prisma/"
cp "$repo/docker/entrypoint.sh" "$app/docker/"
chmod -R a+rX "$work"
port=${PORT:-39871}
run=()
[ "$(id -u)" = 0 ] && run=(runuser -u nobody --)
env -i PATH="$PATH" NODE_ENV=production HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/never-written" \
  DATABASE_URL="$DATABASE_URL" SECRET_KEY="${SECRET_KEY:-$(openssl rand -base64 32)}" \
  ADMIN_TOKEN="${ADMIN_TOKEN:-wgt_layout_check_$(openssl rand -hex 16)}" HUB_LOCAL=false \
  "${run[@]}" "$app/docker/entrypoint.sh" >"$work/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    echo "image layout OK: $(du -sh "$app/node_modules" | cut -f1) of node_modules; /readyz: $(curl -sS "http://127.0.0.1:$port/readyz")"
    [ ! -e "$work/never-written" ] || { echo "DATA_DIR was written to" >&2; exit 1; }
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
echo "the service did not become ready:" >&2
cat "$work/out.log" >&2
exit 1
