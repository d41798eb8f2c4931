#!/bin/sh
# Configure and build sluice out of tree in build/ (or $BUILD_DIR), once;
# later runs only rebuild what changed. Extra arguments go to configure on
# the first run (e.g. --enable-sanitize).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || "$top/configure" -q "$@"
make -s -j"$(nproc)" >/dev/null
