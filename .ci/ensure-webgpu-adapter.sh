#!/usr/bin/env bash
# Makes a WebGPU adapter available for the webgpu tests where that is possible: a machine without a
# GPU gets Mesa's software one from Debian when CI runs as root. Where none can be had, the webgpu
# tests skip and say why.
set -uo pipefail
probe() { node --import tsx packages/core/scripts/webgpu-adapter.mjs 2>/dev/null; }
if probe; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Mesa for a software WebGPU adapter"
  apt-get install -y -qq mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2 >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 &&
      apt-get install -y -qq mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2 >/dev/null 2>&1; }
  probe && exit 0
fi
echo "no WebGPU adapter here: the webgpu tests will be reported as skipped"
exit 0
