#!/usr/bin/env bash
# Puts Pulumi YAML's language host, pulumi-language-yaml, into .venv/bin: what `pulumi up` starts
# in a project whose Pulumi.yaml says `runtime: yaml`. Pinned to YAML_VERSION, built once from the
# Go module proxy (about a minute on 2 cores), kept per user by version like the other engine
# pieces (see install-pulumi.sh), and copied from there by every later setup.
#
# Reuse: a `pulumi-language-yaml` on PATH outside .venv is linked in, not built.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${PULUMI_YAML_VERSION:-1.25.0}
bin="$root/.venv/bin"
target="$bin/pulumi-language-yaml"
stamp="$bin/.pulumi-language-yaml.stamp"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-incident-statuses
cached=$cache/pulumi-language-yaml-v$version
module=github.com/pulumi/pulumi-yaml

mkdir -p "$bin"
if [ -x "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "v$version" ]; then
    touch "$target"  # newer than this script, so make does not ask again
    exit 0
fi
found=$(command -v pulumi-language-yaml 2>/dev/null || true)
if [ -n "$found" ] && [ "$found" != "$target" ]; then
    ln -sf "$found" "$target"
elif [ -x "$cached" ]; then
    echo "install-pulumi-yaml: using the YAML language host built earlier ($cached)" >&2
    cp "$cached" "$target"
else
    echo "install-pulumi-yaml: building pulumi-language-yaml v$version from the Go module proxy (about a minute, once)" >&2
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    # Its go.mod has no replace directives, so `go install module@version` builds it as pinned.
    GOBIN="$out" go install -trimpath \
        -ldflags "-s -w -X $module/pkg/version.Version=v$version" \
        "$module/cmd/pulumi-language-yaml@v$version"
    mkdir -p "$cache"
    cp "$out/pulumi-language-yaml" "$cached.tmp" && mv "$cached.tmp" "$cached"
    cp "$cached" "$target"
fi
echo "v$version" >"$stamp"
