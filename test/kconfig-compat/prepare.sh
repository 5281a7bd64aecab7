#!/bin/sh
# Prepares the Kconfig compatibility suite: unpacks Debian's linux-source-6.1 into the cache, builds the
# kernel's own scripts/kconfig/conf there and records its outputs for ARCH=riscv as the references.
# Usage: test/kconfig-compat/prepare.sh   (as root it installs the packages it needs with apt-get)
set -eu
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/keel"
SRC="${KEEL_LINUX_SRC:-$CACHE/linux-6.1-src}"
REF="${KEEL_LINUX_REF:-$CACHE/linux-6.1-ref}"
MAKE="make -s ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-"

if [ ! -f /usr/src/linux-source-6.1.tar.xz ] || ! command -v riscv64-linux-gnu-gcc >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y linux-source-6.1 flex bison gcc-riscv64-linux-gnu
  else
    echo "need: sudo apt-get install -y linux-source-6.1 flex bison gcc-riscv64-linux-gnu" >&2
    exit 1
  fi
fi
if [ ! -f "$SRC/Kconfig" ]; then
  mkdir -p "$CACHE"
  rm -rf "$CACHE/linux-source-6.1"
  tar -C "$CACHE" -xf /usr/src/linux-source-6.1.tar.xz
  mv "$CACHE/linux-source-6.1" "$SRC"
fi

mkdir -p "$REF"
for t in defconfig allnoconfig allyesconfig tinyconfig; do
  out="$REF/$t"
  rm -rf "$out"
  mkdir -p "$out"
  (cd "$SRC" && $MAKE O="$out" "$t")
done
# auto.conf, autoconf.h, auto.conf.cmd and the minimal defconfig for the defconfig configuration.
(cd "$SRC" && $MAKE O="$REF/defconfig" syncconfig savedefconfig)
cp "$REF/defconfig/include/config/auto.conf" "$REF/defconfig/include/config/auto.conf.cmd" \
  "$REF/defconfig/include/generated/autoconf.h" "$REF/defconfig/"
cp "$REF/defconfig/defconfig" "$REF/defconfig/savedefconfig"
echo "references written to $REF"
