#!/usr/bin/env bash
# Builds the image, loads it into kind when KIND_CLUSTER is set, applies the rendered manifests to the
# current kubectl context and waits until the APIServices are Available, then runs the smoke test.
# UNTESTED against a real cluster (none is reachable where it was written).
#   NAMESPACE=custom-metrics IMAGE=metrics-adapter:dev KIND_CLUSTER=kind scripts/deploy.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need docker node "$KUBECTL"

log "building $IMAGE"
docker build -t "$IMAGE" "$ROOT"
if [[ -n "${KIND_CLUSTER:-}" ]]; then
  need kind
  log "loading $IMAGE into kind cluster $KIND_CLUSTER"
  kind load docker-image "$IMAGE" --name "$KIND_CLUSTER"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
render_manifests "$work/all.yaml"
log "applying to $("$KUBECTL" config current-context) in namespace $NAMESPACE"
"$KUBECTL" apply -f "$work/all.yaml"
"$KUBECTL" -n "$NAMESPACE" rollout restart deployment/metrics-adapter
"$KUBECTL" -n "$NAMESPACE" rollout status deployment/metrics-adapter --timeout=180s
"$ROOT/scripts/smoke-test.sh"
