#!/usr/bin/env bash
# Debian packages some tests use, installed when CI runs as root and they are missing: the real
# Fashion-MNIST files, Redis for the sweep and gradient-queue tests (each starts its own server),
# Chromium for the playground's browser tests (driven by puppeteer-core), and Mesa's software
# WebGPU adapter on a machine without a GPU. Where they cannot be had, the tests that need them are
# reported as skipped, with the reason.
set -uo pipefail
root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
install() {
  apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

if [ ! -d /usr/share/datasets/fashion-mnist ] && root; then
  echo "installing dataset-fashion-mnist"
  install dataset-fashion-mnist || echo "could not install dataset-fashion-mnist: its tests will be skipped"
fi

if ! command -v redis-server >/dev/null && root; then
  echo "installing redis-server"
  install redis-server || echo "could not install redis-server: the sweep and gradient-queue tests will be skipped"
fi
if ! command -v chromium >/dev/null && root; then
  echo "installing chromium"
  install chromium || echo "could not install chromium: the playground's browser tests will be skipped"
fi

# Debian starts a system-wide server on install; the tests start their own on free ports.
if command -v systemctl >/dev/null && root; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi

probe() { node --import tsx packages/core/scripts/webgpu-adapter.mjs 2>/dev/null; }
if ! probe; then
  if root; then
    echo "installing Mesa for a software WebGPU adapter"
    install mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2
    probe || echo "still no WebGPU adapter: the webgpu tests will be skipped"
  else
    echo "no WebGPU adapter here: the webgpu tests will be skipped"
  fi
fi
exit 0
