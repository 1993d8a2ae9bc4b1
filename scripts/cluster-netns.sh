#!/usr/bin/env bash
# Cluster mode across hosts, on one machine: NATS and three gateway nodes each in a network
# namespace of their own, joined by veth pairs to a bridge, so every message between them crosses
# a network interface and not loopback. A probe connects a client to each node, shows that each
# symbol is subscribed upstream once in the whole cluster, kills the SIM lease holder with
# SIGKILL and prints how long the other nodes' clients waited for ticks.
#
# Run by hand, as root (ip netns), after `npm ci && npm run build`:
#   sudo scripts/cluster-netns.sh [symbols]        # default 50 symbols
# Everything it creates (namespaces, bridge, processes, temp dir) is removed when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

SYMBOLS="${1:-50}"
NATS_BIN="${NATS_SERVER_BIN:-/usr/sbin/nats-server}"
PREFIX="ssn"
BRIDGE="${PREFIX}-br"
NET="10.77.0"
ADMIN_TOKEN="netns-admin-token-0123456789"
API_KEY="netns-api-key-0001"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do { kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true; done
  for ns in nats n1 n2 n3; do ip netns del "${PREFIX}-$ns" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip link add "$BRIDGE" type bridge
ip addr add "$NET.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up

# A namespace with one veth to the bridge, at address $NET.$2.
namespace() {
  local ns="${PREFIX}-$1" host="$2"
  ip netns add "$ns"
  ip link add "${PREFIX}-$1-h" type veth peer name eth0 netns "$ns"
  ip link set "${PREFIX}-$1-h" master "$BRIDGE" up
  ip netns exec "$ns" ip addr add "$NET.$host/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
}

namespace nats 10
ip netns exec "${PREFIX}-nats" "$NATS_BIN" -a "$NET.10" -p 4222 -js -sd "$WORK/nats" >"$WORK/nats.log" 2>&1 &
PIDS+=($!)
sleep 1

specs=()
for i in 1 2 3; do
  namespace "n$i" "1$i"
  ip netns exec "${PREFIX}-n$i" env HOST="$NET.1$i" PORT=8765 DATA_DIR="$WORK/n$i" \
    API_KEYS="$API_KEY" ADMIN_TOKEN="$ADMIN_TOKEN" LOG_LEVEL=warn \
    NATS_URL="nats://$NET.10:4222" NODE_ID="n$i" CLUSTER_NAME=netns \
    node packages/gateway/build/src/main.js >"$WORK/n$i.log" 2>&1 &
  PIDS+=($!)
  specs+=("n$i=http://$NET.1$i:8765=$!")
done

for i in 1 2 3; do
  for _ in $(seq 1 100); do
    curl -sf "http://$NET.1$i:8765/healthz" >/dev/null && break
    sleep 0.1
  done
done
echo "NATS on $NET.10:4222; nodes on $NET.11, $NET.12, $NET.13 (each in its own network namespace)"
node scripts/cluster-netns-probe.mjs "$ADMIN_TOKEN" "$API_KEY" "$SYMBOLS" "${specs[@]}"
