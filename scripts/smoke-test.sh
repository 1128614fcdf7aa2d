#!/usr/bin/env bash
# Checks a deployed adapter through the cluster: the three APIServices are Available, discovery
# answers, and a value written to the adapter reads back through kube-apiserver's aggregator.
# UNTESTED against a real cluster (none is reachable where it was written).
#   ADAPTER_URL=https://127.0.0.1:6443 scripts/smoke-test.sh   (default: a port-forward to the Service)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need curl "$KUBECTL"

for service in v1beta1.custom.metrics.k8s.io v1beta2.custom.metrics.k8s.io v1beta1.external.metrics.k8s.io; do
  log "waiting for APIService $service"
  "$KUBECTL" wait --for=condition=Available "apiservice/$service" --timeout=120s
done
"$KUBECTL" get --raw /apis/custom.metrics.k8s.io/v1beta2 >/dev/null
"$KUBECTL" get --raw /apis/external.metrics.k8s.io/v1beta1 >/dev/null

forward_pid=""
cleanup() { if [[ -n "$forward_pid" ]]; then kill "$forward_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
url="${ADAPTER_URL:-}"
if [[ -z "$url" ]]; then
  "$KUBECTL" -n "$NAMESPACE" port-forward service/metrics-adapter 16443:443 >/dev/null &
  forward_pid=$!
  url="https://127.0.0.1:16443"
  for _ in $(seq 1 30); do curl -ksf "$url/healthz" >/dev/null 2>&1 && break; sleep 1; done
fi

value="$((RANDOM % 1000 + 1))"
log "writing smoke_test=$value for namespace $NAMESPACE"
# NB: -k because the port-forward's address is not in the certificate; the aggregator verifies it with the caBundle.
curl -ksSf -X POST -H 'Content-Type: application/json' -d "\"$value\"" \
  "$url/write-metrics/namespaces/$NAMESPACE/metrics/smoke_test" >/dev/null
answer="$("$KUBECTL" get --raw "/apis/custom.metrics.k8s.io/v1beta2/namespaces/$NAMESPACE/metrics/smoke_test")"
case "$answer" in
  *"\"value\":\"$value\""*) log "ok: read $value back through the aggregator" ;;
  *) die "unexpected answer: $answer" ;;
esac
