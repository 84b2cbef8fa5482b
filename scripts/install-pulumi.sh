#!/usr/bin/env bash
# Puts the Pulumi engine into .venv/bin, pinned, each piece built or copied once and then reused:
#
#   pulumi                          the CLI, built from the Go module proxy
#   pulumi-resource-pulumi-python   the launcher the engine runs for pulumi.dynamic providers
#   pulumi-language-python          the Python language host: what `pulumi up` in a project
#   pulumi-language-python-exec     folder starts to run the program (a Go binary and its script)
#
# Pulumi's download site is unreachable here, so the Go pieces are built in throwaway wrapper
# modules under .build/, against pkg/v3 and sdk/v3 at PULUMI_VERSION, and stamped with that version
# so that `pulumi version` and the Automation API see a real one. The language host's own module
# is not served by the proxy; its source (one main.go) is kept in
# ../shared/third_party/pulumi-language-python and checked against LANGUAGE_HOST_SHA256.
#
# Reuse: a `pulumi` on PATH that reports PULUMI_VERSION (or any one named by PULUMI_CLI), and a
# `pulumi-language-python` on PATH (with its -exec script beside it), are linked in, not built.
#
# `install-pulumi.sh cli DIR` puts only the CLI, at PULUMI_VERSION, into DIR (built once, then
# copied from the same cache): how `make test-matrix` gets the older CLI release it runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${PULUMI_VERSION:-3.274.1}
mode=${1:-all}
if [ "$mode" = cli ]; then
    bin=$(mkdir -p "${2:?usage: install-pulumi.sh cli DIR}" && cd "$2" && pwd)
else
    bin="$root/.venv/bin"
fi
mkdir -p "$bin"

# main.go of pulumi-language-python at tag v3.259.0, as kept in shared/third_party.
LANGUAGE_HOST_SHA256=af5496a36f89a58e5bc67dfeebe0053411da7dc2626107b665354b4a4c5a38e8
language_src=${PULUMI_LANGUAGE_PYTHON_SRC:-$root/../shared/third_party/pulumi-language-python}
# Each binary built here is kept per user, by version (and the host by source hash), so that every
# later checkout, fresh clones included, copies it instead of building it again: linking the CLI
# alone takes half a minute even with Go's build cache warm.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-incident-statuses
host_cache=$cache/pulumi-language-python-$LANGUAGE_HOST_SHA256-v$version
cli_cache=$cache/pulumi-v$version
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"

have_version() { "$1" version 2>/dev/null | sed 's/^v//'; }

# Keep a freshly built binary in the per-user cache, replacing any copy atomically.
keep() {
    mkdir -p "$cache"
    cp "$1" "$2.tmp" && mv "$2.tmp" "$2"
}

# A wrapper module in .build/NAME requiring pkg/v3 and sdk/v3 at the pinned version.
wrapper_module() {
    local dir="$root/.build/$1"
    mkdir -p "$dir"
    cd "$dir"
    if [ ! -f go.mod ]; then
        go mod init "$1-wrapper" >/dev/null 2>&1
        go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
        # pkg's own go.mod replaces a few modules; a consumer must repeat that one replacement.
        go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
    fi
}

install_cli() {
    if [ -n "${PULUMI_CLI:-}" ]; then
        # An explicit choice wins: link it in, whatever its version.
        ln -sf "$(command -v "$PULUMI_CLI")" "$bin/pulumi"
    elif [ -x "$bin/pulumi" ] && [ "$(have_version "$bin/pulumi")" = "$version" ]; then
        :
    elif command -v pulumi >/dev/null 2>&1 && [ "$(have_version pulumi)" = "$version" ]; then
        ln -sf "$(command -v pulumi)" "$bin/pulumi"
    elif [ -x "$cli_cache" ] && [ "$(have_version "$cli_cache")" = "$version" ]; then
        echo "install-pulumi: using the CLI built earlier ($cli_cache)" >&2
        cp "$cli_cache" "$bin/pulumi"
    else
        echo "install-pulumi: building pulumi v$version from the Go module proxy (a few minutes, once)" >&2
        wrapper_module "pulumi-cli-v$version"
        go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version"
        go build -trimpath -ldflags "$ldflags" -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
        mv "$bin/pulumi.tmp" "$bin/pulumi"
        keep "$bin/pulumi" "$cli_cache"
    fi
}

sdk_dir() {
    (cd "$root" && GOFLAGS=-mod=mod go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version") \
        | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# The Python scripts of the engine ship in the sdk module, not in any Go build.
install_scripts() {
    local sdk
    sdk=$(sdk_dir)
    install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"
    install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
}

install_language_host() {
    local stamp="$bin/.pulumi-language-python.stamp" want="$LANGUAGE_HOST_SHA256 v$version"
    if [ -x "$bin/pulumi-language-python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    local found
    found=$(command -v pulumi-language-python 2>/dev/null || true)
    if [ -n "$found" ] && [ "$found" != "$bin/pulumi-language-python" ]; then
        ln -sf "$found" "$bin/pulumi-language-python"
        echo "$want" >"$stamp"
        return 0
    fi
    if [ -f "$language_src/main.go" ]; then
        local sum
        sum=$(sha256sum "$language_src/main.go" | cut -d' ' -f1)
        if [ "$sum" != "$LANGUAGE_HOST_SHA256" ]; then
            echo "install-pulumi: $language_src/main.go is not the pinned source (sha256 $sum);" \
                "update LANGUAGE_HOST_SHA256 in scripts/install-pulumi.sh if the change is intended" >&2
            exit 1
        fi
    fi
    if [ -x "$host_cache" ]; then
        echo "install-pulumi: using the language host built earlier from the pinned source ($host_cache)" >&2
        cp "$host_cache" "$bin/pulumi-language-python"
        echo "$want" >"$stamp"
        return 0
    fi
    if [ ! -f "$language_src/main.go" ]; then
        cat >&2 <<MSG
install-pulumi: the Python language host pulumi-language-python is missing.
  Not on PATH, and its source is not at $language_src/main.go
  (set PULUMI_LANGUAGE_PYTHON_SRC to the folder that holds it).
  Without it, \`pulumi up\` in a project folder, \`make demo\` and the engine tests cannot run;
  the Automation API inline path (incident_statuses_harness.workspace) still works.
MSG
        return 0
    fi
    echo "install-pulumi: building pulumi-language-python against pulumi v$version (about a minute, once)" >&2
    wrapper_module "pulumi-language-python-v$version"
    cp "$language_src/main.go" main.go
    go mod tidy
    go build -trimpath -ldflags "$ldflags" -o "$bin/pulumi-language-python.tmp" .
    mv "$bin/pulumi-language-python.tmp" "$bin/pulumi-language-python"
    keep "$bin/pulumi-language-python" "$host_cache"
    echo "$want" >"$stamp"
}

install_cli
if [ "$mode" != cli ]; then
    install_scripts
    install_language_host
fi
"$bin/pulumi" version
