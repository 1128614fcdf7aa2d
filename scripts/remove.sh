#!/usr/bin/env bash
# Removes what deploy.sh or develop.sh created: every object of the rendered manifests (their names do
# not depend on the fresh CA), which takes the namespace and the host EndpointSlice with it.
# UNTESTED against a real cluster (none is reachable where it was written).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need node "$KUBECTL"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
render_manifests "$work/all.yaml"
log "removing metrics-adapter from $("$KUBECTL" config current-context), namespace $NAMESPACE"
"$KUBECTL" delete --ignore-not-found --wait=false -f "$work/all.yaml"
