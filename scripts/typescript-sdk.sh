#!/usr/bin/env bash
# Writes the TypeScript SDK of the provider plugin's schema into OUT_DIR:
#
#   scripts/typescript-sdk.sh SCHEMA.json OUT_DIR
#
# `pulumi package gen-sdk --language nodejs` needs Pulumi's Node language host, which no registry
# reachable here serves; its generator is a public package of pkg/v3, so typescript-sdk/main.go
# calls it directly. Built once in a wrapper module against the CLI's pinned version, then kept
# per user by version and source hash like the engine pieces (see install-pulumi.sh).
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SCHEMA.json OUT_DIR" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
version=${PULUMI_VERSION:-3.274.1}
source_file="$root/scripts/typescript-sdk/main.go"
sum=$(sha256sum "$source_file" | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-incident-statuses
tool=$cache/typescript-sdk-$sum-v$version

if [ ! -x "$tool" ]; then
    echo "typescript-sdk: building the TypeScript SDK generator against pulumi v$version (once)" >&2
    dir="$root/.build/typescript-sdk-v$version"
    mkdir -p "$dir" "$cache"
    cp "$source_file" "$dir/main.go"
    cd "$dir"
    if [ ! -f go.mod ]; then
        go mod init typescript-sdk-wrapper >/dev/null 2>&1
        go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
        go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
    fi
    go mod tidy
    go build -trimpath -ldflags "-s -w" -o "$tool.tmp" .
    mv "$tool.tmp" "$tool"
fi
"$tool" "$1" "$2"
