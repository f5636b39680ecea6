#!/usr/bin/env bash
# berth's own test prerequisites: the Debian packages the test suites use and
# the real peer engines they compare against (a Docker engine on a private
# socket, podman with runc, skopeo, a distribution registry on loopback).
# Everything stays on this machine: a unix socket and loopback ports.
#
#   scripts/peers.sh install   install the Debian packages that are missing (root)
#   scripts/peers.sh start     install, then start dockerd and the registry (root)
#   scripts/peers.sh ensure    start when root; otherwise say why not (exit 0)
#   scripts/peers.sh stop      stop what start started
#   scripts/peers.sh env       print the variables tests and benchmarks read
#
# The variables `env` prints (eval "$(scripts/peers.sh env)"):
#   PEER_DOCKER_HOST   unix socket of the peer dockerd (docker -H ...)
#   PEER_DOCKER        the docker client of the peer (Debian's, matching dockerd)
#   PEER_REGISTRY      host:port of the plain-HTTP registry on loopback
#   PEER_PODMAN        podman (configured for runc; crun cannot run here)
#   PEER_SKOPEO        skopeo
#   PEER_STATE         the directory holding the peers' data and logs
#
# PEERS_STATE and PEERS_REGISTRY_PORT override the defaults below.
set -euo pipefail

STATE=${PEERS_STATE:-/var/tmp/berth-peers}
SOCK=$STATE/docker.sock
REG_PORT=${PEERS_REGISTRY_PORT:-5005}

# What the suites use, by package: the peers, the tools the tests drive, and
# the formatter the lint step runs.
PKGS=(
  docker.io podman runc skopeo docker-registry # the peer engines and registry
  busybox-static tmux zstd xz-utils bzip2      # fixtures' rootfs, e2e app tests, compressed archives
  python3                                       # the app's pseudo-terminal tests (test/helpers/pty-driver.py)
  iproute2 nftables procps util-linux curl      # ip/ss and nft (berth's networks), ps/pgrep, setpriv/unshare, registry probes
  openssl apache2-utils                         # test registries: their CA and certificates, htpasswd (bcrypt)
  debootstrap time                              # benchmarks: the Debian image; GNU time: peak memory (benchmarks, hostile-images.test.ts)
  openssh-server openssh-client                 # berth -H ssh:// to a private sshd (remote-hosts.test.ts)
  clang-format                                  # the C formatter lint checks
  clang-14 libclang-rt-14-dev                   # the native fuzz targets (libFuzzer, sanitizers)
  strace                                        # the mount race test slows a mount down with it
  libisal-dev                                   # ISA-L's inflate for pulls and loads (the addon builds with it when present)
  dnsutils                                      # dig: the DNS responder's tests (dns-responder*.test.ts)
  systemd                                       # systemd-socket-activate: the API service's socket activation test
  docker-compose                                # compose 1.29 against berth's API service (api-compose.test.ts)
)

log() { printf 'peers: %s\n' "$*" >&2; }

missing_packages() {
  local p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

install() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # podman: runc, and rlimits no higher than this sandbox allows (it denies
  # CAP_SYS_RESOURCE, so raising the hard limit would fail every run).
  mkdir -p /etc/containers
  if ! grep -qs 'berth-peers' /etc/containers/containers.conf; then
    cat >>/etc/containers/containers.conf <<'CONF'
# berth-peers: runc, and limits within what the host allows
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
  fi
}

docker_up() { /usr/bin/docker -H "unix://$SOCK" version >/dev/null 2>&1; }
registry_up() { curl -fsS -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" 2>/dev/null; }

wait_for() {
  local what=$1 check=$2 tries=$3 i
  for ((i = 0; i < tries; i++)); do
    "$check" && return 0
    sleep 0.25
  done
  log "$what did not come up; see $STATE/$what.log"
  return 1
}

start() {
  install
  mkdir -p "$STATE"
  chmod 0700 "$STATE"
  if ! docker_up; then
    rm -f "$SOCK"
    # No bridge and no iptables: the peer must not touch the host's network.
    setsid /usr/sbin/dockerd --iptables=false --ip6tables=false --bridge=none \
      --host "unix://$SOCK" --data-root "$STATE/docker-data" --exec-root "$STATE/docker-exec" \
      --pidfile "$STATE/dockerd.pid" </dev/null >"$STATE/dockerd.log" 2>&1 &
    wait_for dockerd docker_up 240
  fi
  if ! registry_up; then
    cat >"$STATE/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REG_PORT
YML
    setsid /usr/bin/docker-registry serve "$STATE/registry.yml" </dev/null >"$STATE/registry.log" 2>&1 &
    echo $! >"$STATE/registry.pid"
    wait_for registry registry_up 80
  fi
  env
}

ensure() {
  if [ "$(id -u)" != 0 ]; then
    log "not root: the peers and Debian packages are not installed; tests that need them will say so"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    log "no apt-get: install ${PKGS[*]} by hand; tests that need them will say so"
    return 0
  fi
  start >/dev/null
}

stop() {
  local f
  for f in "$STATE/dockerd.pid" "$STATE/registry.pid"; do
    if [ -f "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
    rm -f "$f"
  done
}

env() {
  echo "export PEER_DOCKER_HOST=unix://$SOCK"
  echo "export PEER_DOCKER=/usr/bin/docker"
  echo "export PEER_REGISTRY=127.0.0.1:$REG_PORT"
  echo "export PEER_PODMAN=/usr/bin/podman"
  echo "export PEER_SKOPEO=/usr/bin/skopeo"
  echo "export PEER_STATE=$STATE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  ensure) ensure ;;
  stop) stop ;;
  env) env ;;
  *)
    sed -n '2,21p' "$0"
    exit 2
    ;;
esac
