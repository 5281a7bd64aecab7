#!/bin/sh
# Regenerates test/fixtures/kconfig/<case>/expected.* with Linux 6.1's own scripts/kconfig/conf (built by
# prepare.ts, which it runs). Cases whose Kconfig the C tool cannot read (Kconfiglib extensions, error cases) keep their
# hand-written expectations. Usage: test/kconfig-compat/gen-fixtures.sh [case...]
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
CONF="${KEEL_CONF:-$(cd "$HERE/../.." && node --import tsx test/kconfig-compat/prepare.ts --conf)}"
FIX="$(cd "$HERE/../fixtures/kconfig" && pwd)"
[ -x "$CONF" ] || { echo "no conf at $CONF" >&2; exit 1; }
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
