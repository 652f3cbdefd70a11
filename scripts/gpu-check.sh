#!/usr/bin/env bash
# Numbers from a real GPU: on a fresh Linux machine with an NVIDIA GPU and its driver, installs
# what Dawn needs for a hardware Vulkan adapter, checks the adapter is hardware, then runs the
# bench on wasm and webgpu (one sitting) and one iteration of the paper-scale TRPO MDP recipe on
# each. Everything it measures goes to $OUT (default gpu-check/): bench JSON and logs.
#
#   bash scripts/gpu-check.sh            # from the repository root, as root or with sudo
#   OUT=/tmp/gpu bash scripts/gpu-check.sh
#
# The NVIDIA driver provides the Vulkan ICD; this machine needs the Vulkan and EGL loaders. Where
# apt cannot reach a network, unpack the same Debian packages from ./.gl/*.deb (dpkg -x) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-check}
mkdir -p "$OUT"
LOADERS="libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2"

say() { printf '\n== %s\n' "$*"; }

if ! ldconfig -p | grep -q libvulkan.so.1; then
  if compgen -G '.gl/*.deb' >/dev/null; then
    say "unpacking the Vulkan and EGL loaders from .gl/"
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  else
    say "installing the Vulkan and EGL loaders ($LOADERS)"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq $LOADERS
  fi
fi
# Containers often mount the driver's ICD files where the loaders do not look.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then export VK_DRIVER_FILES=$icd; fi
done
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}

if [ ! -d node_modules ]; then
  say "installing dependencies"
  npx -y pnpm@12.4.2 install --frozen-lockfile
fi

say "the GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt" || true

say "the WebGPU adapter"
npx -y pnpm@12.4.2 metagrad backends --json > "$OUT/backends.json"
node -e '
  const all = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const webgpu = all.find((b) => b.name === "webgpu");
  console.log(`webgpu: ${webgpu.available ? webgpu.detail : "unavailable: " + webgpu.detail}`);
  if (!webgpu.available || !webgpu.detail.startsWith("hardware")) {
    console.error("no hardware WebGPU adapter: the numbers would not come from a GPU (see the lines above)");
    process.exit(1);
  }' "$OUT/backends.json"

say "bench on wasm and webgpu, one sitting"
npx -y pnpm@12.4.2 bench -- --backends wasm,webgpu \
  --filter '(gumbel-softmax|lstm-step-fwd-bwd-1280|gru-sequence-fwd-bwd-100x128|quadratic-meta-step-128x10-unroll20|ppo-update-bandit-n100-k5-128-trials|trpo-step-mdp-n10-128-trials)(-composite|-2workers)?$' \
  --out "$OUT/bench.json" | tee "$OUT/bench.txt"

say "one iteration of the paper-scale TRPO MDP recipe on each backend"
for backend in webgpu wasm; do
  workers=1; [ "$backend" = wasm ] && workers=2
  npx -y pnpm@12.4.2 metagrad rl2 train --config packages/rl/recipes/mdp-10-trpo-paper-scale.json \
    --iterations 1 --eval-every 1000 --workers "$workers" --backend "$backend" --no-tui --json \
    --run-dir "$OUT/paper-scale-$backend" > "$OUT/paper-scale-$backend.jsonl"
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
    const step = lines.find((e) => e.type === "progress");
    console.log(`${process.argv[2]}: one paper-scale iteration in ${(step.ms / 1000).toFixed(1)} s`);
  ' "$OUT/paper-scale-$backend.jsonl" "$backend" | tee -a "$OUT/paper-scale.txt"
done
say "done: $OUT"
