#!/bin/sh
# Regenerates test/fixtures/kconfig/<case>/expected.* with Linux 6.1's own scripts/kconfig/conf (built by
# prepare.sh). Cases whose Kconfig the C tool cannot read (Kconfiglib extensions, error cases) keep their
# hand-written expectations. Usage: test/kconfig-compat/gen-fixtures.sh [case...]
set -eu
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/keel"
CONF="${KEEL_CONF:-$CACHE/linux-6.1-ref/defconfig/scripts/kconfig/conf}"
FIX="$(cd "$(dirname "$0")/../fixtures/kconfig" && pwd)"
[ -x "$CONF" ] || { echo "no conf at $CONF (run prepare.sh)" >&2; exit 1; }
cd "$FIX"
cases="${*:-$(ls)}"
for c in $cases; do
  [ -f "$c/command" ] || continue
  cmd=$(cat "$c/command")
  tmp=$(mktemp -d)
  cp -r "$c"/. "$tmp"/
  (
    cd "$tmp"
    set -a
    [ -f env ] && . ./env
    set +a
    case "$cmd" in
      olddefconfig) cp config.in .config; "$CONF" -s --olddefconfig Kconfig ;;
      savedefconfig) cp config.in .config; "$CONF" -s --savedefconfig=defconfig.out Kconfig ;;
      defconfig) "$CONF" -s --defconfig=defconfig.in Kconfig ;;
      *) "$CONF" -s --"$cmd" Kconfig ;;
    esac
  ) >"$tmp/stdout" 2>"$tmp/stderr" || { echo "$c: conf failed:"; cat "$tmp/stderr"; rm -rf "$tmp"; continue; }
  if [ "$cmd" = savedefconfig ]; then
    cp "$tmp/defconfig.out" "$c/expected.defconfig"
  else
    cp "$tmp/.config" "$c/expected.config"
    cp "$tmp/include/config/auto.conf" "$c/expected.auto.conf"
    cp "$tmp/include/generated/autoconf.h" "$c/expected.autoconf.h"
  fi
  rm -rf "$tmp"
  echo "$c: $cmd"
done
