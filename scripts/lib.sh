# Shared settings for develop.sh, deploy.sh, smoke-test.sh and remove.sh (sourced, not run).
# UNTESTED against a real cluster: written for kind or any cluster your kubectl context reaches.
# shellcheck shell=bash

NAMESPACE="${NAMESPACE:-custom-metrics}"
IMAGE="${IMAGE:-metrics-adapter:dev}"
BACKEND="${BACKEND:-memory}"
KUBECTL="${KUBECTL:-kubectl}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required but not on PATH"
  done
}

# The CLI from this checkout: the built one when present, else from source through tsx.
adapter() {
  if [[ -f "$ROOT/dist/cli/main.js" ]]; then
    node "$ROOT/dist/cli/main.js" "$@"
  else
    node --import tsx "$ROOT/src/cli/main.ts" "$@"
  fi
}

# Renders the manifests (fresh CA and Secret) into $1.
render_manifests() {
  adapter manifests --namespace "$NAMESPACE" --image "$IMAGE" --backend "$BACKEND" >"$1"
}
