#!/usr/bin/env bash
# The packed-consumer test: build and pack the four packages, install the tarballs with npm into a
# fresh project outside the workspace (no workspace links), and use them there as a researcher would:
# the examples under plain node, a strict TypeScript build, and the metagrad command.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PNPM=(npx -y pnpm@12.4.2)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/metagrad-consumer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "== build and pack"
"${PNPM[@]}" build >/dev/null
mkdir -p "$WORK/packs"
for package in core optimizers rl cli; do
  (cd "packages/$package" && "${PNPM[@]}" pack --pack-destination "$WORK/packs" >/dev/null)
done
for tarball in "$WORK"/packs/*.tgz; do
  files=$(tar tzf "$tarball" | wc -l)
  if tar tzf "$tarball" | grep -E '\.test\.tsx?$|tsconfig|/testing/' ; then
    echo "FAIL: $(basename "$tarball") ships test or build files" >&2
    exit 1
  fi
  echo "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) kB packed, $files files"
done

echo "== npm install into a fresh project"
PROJECT="$WORK/project"
mkdir -p "$PROJECT"
cp examples/*.mjs consumer/*.ts consumer/*.json "$PROJECT/"
cd "$PROJECT"
printf '{ "name": "consumer", "private": true, "type": "module" }\n' > package.json
start=$(now)
npm install --no-audit --no-fund --loglevel=warn "$WORK"/packs/*.tgz \
  @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 typescript@5.9 @types/node@20 \
  > "$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; exit 1; }
echo "npm install: $(seconds "$start" "$(now)") s"
if grep -qiE 'error|stack|at .*\(.*:[0-9]+:[0-9]+\)' "$WORK/install.log"; then
  echo "FAIL: the install printed errors:" >&2
  cat "$WORK/install.log" >&2
  exit 1
fi
copies=$(find node_modules -path '*/@tensorflow/tfjs-core/package.json' | wc -l)
echo "copies of @tensorflow/tfjs-core: $copies"
[ "$copies" = 1 ] || { echo "FAIL: expected one tfjs-core" >&2; exit 1; }

echo "== the examples under plain node"
for example in gumbel-vae custom-task-family learned-optimizer-in-layers custom-env bandit-ceiling; do
  echo "-- $example"
  node "$example.mjs"
done

echo "== strict TypeScript consumer (skipLibCheck off)"
# Errors are compared with tfjs alone: tfjs's own .d.ts fail these settings, which metagrad cannot fix.
errors() { npx tsc -p "$1" | grep -E 'error TS' | sort -u || true; }
errors tsconfig.tfjs-only.json > tfjs-only.errors
errors tsconfig.json > consumer.errors
echo "tfjs alone: $(wc -l < tfjs-only.errors) errors in its own .d.ts; with metagrad:"
if comm -23 consumer.errors tfjs-only.errors | grep . ; then
  echo "FAIL: the errors above are not tfjs's own" >&2
  exit 1
fi
echo "tsc: no further errors"

echo "== the metagrad command"
start=$(now)
version=$(npx metagrad --version)
echo "metagrad --version: $version in $(seconds "$start" "$(now)") s (through npx)"
start=$(now)
node node_modules/@metagrad/cli/dist/main.js --version >/dev/null
echo "node …/dist/main.js --version: $(seconds "$start" "$(now)") s"
npx metagrad backends

echo "== a sweep run by an installed worker (its sandboxed processor from dist/)"
if command -v redis-server >/dev/null; then
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  mkdir -p "$WORK/redis"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/redis" --save '' --daemonize yes --pidfile "$WORK/redis/pid" >/dev/null
  stop_redis() { [ -f "$WORK/redis/pid" ] && kill "$(cat "$WORK/redis/pid")" 2>/dev/null || true; }
  trap 'stop_redis; rm -rf "$WORK"' EXIT
  printf '{ "name": "consumer", "base": { "task": "quadratic", "epochs": 4, "instances": 16, "evalInstances": 16, "evalEvery": 2, "compare": false, "workers": 1 }, "seeds": [1] }\n' > sweep.json
  sleep 0.5
  npx metagrad sweep start sweep.json --redis "redis://127.0.0.1:$port"
  npx metagrad worker --redis "redis://127.0.0.1:$port" --runs-root sweep-runs > worker.log 2>&1 &
  worker=$!
  for _ in $(seq 1 240); do
    ls sweep-runs/consumer/*/summary.json >/dev/null 2>&1 && break
    sleep 0.5
  done
  kill "$worker"; wait "$worker" || true
  ls sweep-runs/consumer/*/summary.json >/dev/null 2>&1 || { echo "FAIL: the worker did not finish the run" >&2; cat worker.log >&2; exit 1; }
  grep -q '"status": "completed"' sweep-runs/consumer/*/summary.json
  npx metagrad sweep status consumer --redis "redis://127.0.0.1:$port"
else
  echo "skipped: redis-server is not installed"
fi
echo "consumer test: ok"
