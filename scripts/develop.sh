#!/usr/bin/env bash
# Develop against a local cluster (kind, minikube, k3d) with the adapter running on this host: the
# cluster's aggregator reaches it through a selector-less Service whose EndpointSlice points here.
# The Deployment is scaled to zero. Stop with Ctrl-C; scripts/remove.sh removes everything.
# UNTESTED against a real cluster (none is reachable where it was written).
#   HOST_IP=172.18.0.1 scripts/develop.sh        (default: the gateway of docker network "kind")
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need node "$KUBECTL"
PORT="${PORT:-6443}"

if [[ -z "${HOST_IP:-}" ]]; then
  need docker
  HOST_IP="$(docker network inspect kind -f '{{(index .IPAM.Config 0).Gateway}}' 2>/dev/null || true)"
  [[ -n "$HOST_IP" ]] || die "set HOST_IP to an address of this host that the cluster's nodes can reach"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
render_manifests "$work/all.yaml"
log "applying the manifests to $("$KUBECTL" config current-context), namespace $NAMESPACE"
"$KUBECTL" apply -f "$work/all.yaml"
"$KUBECTL" -n "$NAMESPACE" scale deployment/metrics-adapter --replicas=0
"$KUBECTL" -n "$NAMESPACE" patch service metrics-adapter --type=json \
  -p '[{"op":"remove","path":"/spec/selector"}]' 2>/dev/null || true
"$KUBECTL" apply -f - <<YAML
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: metrics-adapter-host
  namespace: $NAMESPACE
  labels:
    kubernetes.io/service-name: metrics-adapter
addressType: IPv4
endpoints:
- addresses: ["$HOST_IP"]
  conditions: {ready: true}
ports:
- name: https
  port: $PORT
  protocol: TCP
YAML

# The serving certificate from the rendered Secret: it names metrics-adapter.$NAMESPACE.svc, which the aggregator checks.
"$KUBECTL" -n "$NAMESPACE" get secret metrics-adapter-tls -o jsonpath='{.data.tls\.crt}' | base64 -d >"$work/tls.crt"
"$KUBECTL" -n "$NAMESPACE" get secret metrics-adapter-tls -o jsonpath='{.data.tls\.key}' | base64 -d >"$work/tls.key"
chmod 600 "$work/tls.key"

log "serving on $HOST_IP:$PORT; in another shell: ADAPTER_URL=https://127.0.0.1:$PORT scripts/smoke-test.sh"
# NB: not exec: the EXIT trap must still remove the key.
adapter serve --kubeconfig "${KUBECONFIG:-$HOME/.kube/config}" --bind-address 0.0.0.0 --secure-port "$PORT" \
  --tls-cert-file "$work/tls.crt" --tls-private-key-file "$work/tls.key" --backend "$BACKEND" \
  --insecure-disable-auth -v 2
