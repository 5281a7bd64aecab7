#!/bin/sh
# Prepares the Kconfig compatibility suite (`keel test` does this by itself): see prepare.ts.
set -eu
cd "$(dirname "$0")/../.."
exec node --import tsx test/kconfig-compat/prepare.ts "$@"
