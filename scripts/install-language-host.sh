#!/usr/bin/env bash
# Puts one more Pulumi language host into .venv/bin, beside `pulumi`:
#
#   scripts/install-language-host.sh nodejs   pulumi-language-nodejs (TypeScript and JavaScript)
#   scripts/install-language-host.sh go       pulumi-language-go
#
# Neither host's Go module is served by the module proxy reachable here, so, as for the Python
# host (install-pulumi.sh), each is built from the source kept in
# ../shared/third_party/pulumi-language-LANGUAGE (checked against a SHA-256 below) in a throwaway
# wrapper module under .build/. Both were written for pkg/sdk v3.259.0 and do not compile against
# the CLI's newer release, so they are built against HOST_SDK_VERSION; the CLI talks to an older
# host over gRPC. Each build is kept per user in ~/.cache/pulumi-incident-statuses/ by source
# hash and version, and copied from there by every later setup, fresh clones included.
#
# Reuse: a host of that name on PATH outside .venv is linked in, not built.
# PULUMI_LANGUAGE_NODEJS_SRC / PULUMI_LANGUAGE_GO_SRC point at the source elsewhere.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
language=${1:?usage: install-language-host.sh nodejs|go}
version=${HOST_SDK_VERSION:-3.259.0}
bin="$root/.venv/bin"
host=pulumi-language-$language
target="$bin/$host"
stamp="$bin/.$host.stamp"

# Pinned: the SHA-256 of `sha256sum` of the .go files (paths sorted) kept in shared/third_party.
case "$language" in
nodejs)
    pinned=0456065eeb19790b3a982987ef2db8db9bd5e6ef94fe9192c805f011d79d90ba
    src=${PULUMI_LANGUAGE_NODEJS_SRC:-$root/../shared/third_party/pulumi-language-nodejs}
    # The host imports nothing of its own, so any module name builds it.
    module=pulumi-language-nodejs-wrapper
    ;;
go)
    pinned=85b5d824cb40e7bcdd6536a2a52604e210cca5933c9882e3d9a262df06d82d9a
    src=${PULUMI_LANGUAGE_GO_SRC:-$root/../shared/third_party/pulumi-language-go}
    # main.go imports its two sub-packages by this module path.
    module=github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3
    ;;
*)
    echo "install-language-host: unknown language '$language' (nodejs or go)" >&2
    exit 2
    ;;
esac
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-incident-statuses
cached=$cache/$host-$pinned-v$version
want="$pinned v$version"

source_sum() {
    (cd "$src" && find . -type f -name '*.go' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
}

mkdir -p "$bin"
if [ -x "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    touch "$target"  # newer than this script, so make does not ask again
    exit 0
fi
found=$(command -v "$host" 2>/dev/null || true)
if [ -n "$found" ] && [ "$found" != "$target" ]; then
    ln -sf "$found" "$target"
    echo "$want" >"$stamp"
    exit 0
fi
if [ -f "$src/main.go" ]; then
    sum=$(source_sum)
    if [ "$sum" != "$pinned" ]; then
        echo "install-language-host: $src is not the pinned source of $host (sha256 $sum);" \
            "update it in scripts/install-language-host.sh if the change is intended" >&2
        exit 1
    fi
elif [ ! -x "$cached" ]; then
    cat >&2 <<MSG
install-language-host: $host is missing. Not on PATH, not built before, and its source is not
  at $src (set PULUMI_LANGUAGE_${language^^}_SRC to the folder that holds it).
  Without it, $language projects cannot run, and their engine tests fail saying so.
MSG
    exit 0
fi
if [ -x "$cached" ]; then
    echo "install-language-host: using $host built earlier from the pinned source ($cached)" >&2
else
    echo "install-language-host: building $host against pulumi v$version (about a minute, once)" >&2
    dir="$root/.build/$host-v$version"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$src" && find . -type f -name '*.go' | tar -cf - -T -) | (cd "$dir" && tar -xf -)
    cd "$dir"
    go mod init "$module" >/dev/null 2>&1
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
    # pkg's own go.mod replaces a few modules; a consumer must repeat that one replacement.
    go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
    go mod tidy
    go build -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
        -o "$host" .
    mkdir -p "$cache"
    cp "$host" "$cached.tmp" && mv "$cached.tmp" "$cached"
fi
cp "$cached" "$target.tmp" && mv "$target.tmp" "$target"
echo "$want" >"$stamp"
