#!/usr/bin/env bash
# Puts the Pulumi engine into .venv/bin: the `pulumi` CLI and the dynamic-provider launcher
# `pulumi-resource-pulumi-python`.
#
# The CLI is built from the Go module proxy (Pulumi's download site is unreachable here) in a
# throwaway wrapper module under .build/, pinned to PULUMI_VERSION and stamped with it so that
# `pulumi version` and the Automation API see a real version. A `pulumi` already installed is
# reused when it reports PULUMI_VERSION, or whatever version when PULUMI_CLI names it explicitly.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${PULUMI_VERSION:-3.274.1}
bin="$root/.venv/bin"
build="$root/.build/pulumi-cli-v$version"
mkdir -p "$bin"

have_version() { "$1" version 2>/dev/null | sed 's/^v//'; }

if [ -n "${PULUMI_CLI:-}" ]; then
    # An explicit choice wins: link it in, whatever its version.
    ln -sf "$(command -v "$PULUMI_CLI")" "$bin/pulumi"
elif [ -x "$bin/pulumi" ] && [ "$(have_version "$bin/pulumi")" = "$version" ]; then
    :
elif command -v pulumi >/dev/null 2>&1 && [ "$(have_version pulumi)" = "$version" ]; then
    ln -sf "$(command -v pulumi)" "$bin/pulumi"
else
    echo "install-pulumi: building pulumi v$version from the Go module proxy (a few minutes, once)" >&2
    mkdir -p "$build"
    cd "$build"
    if [ ! -f go.mod ]; then
        go mod init pulumi-cli-wrapper >/dev/null 2>&1
        go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
        # pkg's own go.mod replaces a few modules; a consumer must repeat that one replacement.
        go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
        go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version"
    fi
    go build -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
        -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    mv "$bin/pulumi.tmp" "$bin/pulumi"
fi

# The launcher the engine runs for pulumi.dynamic ships in the sdk module, not in the CLI build.
sdk_dir=$(cd "$root" && GOFLAGS=-mod=mod go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"
"$bin/pulumi" version
