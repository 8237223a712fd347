#!/usr/bin/env bash
# The webgpu backend's check on a machine with a real GPU, in one script.
#
#   packages/backend-webgpu/bench/gpu.sh pack   # here (with Node and the workspace installed):
#                                               # builds .gpu/ at the repository root
#   packages/backend-webgpu/bench/gpu.sh run    # on the GPU machine, from the repository root,
#                                               # with .gpu/ carried (no Node or npm needed there)
#   packages/backend-webgpu/bench/gpu.sh local  # pack, then run here with small sizes (SwiftShader):
#                                               # checks the script itself
#
# `run` unpacks Node, the Vulkan loader (Debian's libvulkan1, if the machine lacks one) and the
# native modules (Dawn for Node, onnxruntime-node with its WebGPU execution provider), points
# the loader at NVIDIA's ICD when the default search finds none, then runs the webgpu
# conformance subset against the cpu oracle and the bench (matMul 1024/2048/4096 GFLOP/s, the
# 10-op chain on 16M floats, MLP and CNN training steps, onnxruntime's WebGPU provider on the
# same matMul and MLP). Output goes to stdout and, when $OUT is set, to $OUT/gpu-bench.log.
# Options after the verb: --tests-only, --bench-only; KILN_BENCH_SIZES=small for small sizes.
#
# With the device tool: carry [".gpu"], command "packages/backend-webgpu/bench/gpu.sh run",
# timeout_s 600 (the full run takes a few minutes on an H100).
set -euo pipefail
verb="${1:-}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
bundle="$root/.gpu"
pkg="$root/packages/backend-webgpu"

pack() {
  command -v node >/dev/null || { echo "pack needs Node (and pnpm install) on this machine" >&2; exit 1; }
  rm -rf "$bundle"
  mkdir -p "$bundle/node_modules" "$bundle/debs"
  grep -qx '/.gpu/' "$root/.gitignore" 2>/dev/null || echo "warning: add /.gpu/ to .gitignore" >&2
  # The tests and the bench as one ES module; vitest is replaced by a small shim.
  (cd "$pkg" && npx esbuild bench/gpu/main.ts --bundle --platform=node --format=esm --target=node20 \
    --conditions=source --ignore-annotations --external:webgpu --external:onnxruntime-node --alias:vitest=./bench/gpu/vitest_shim.ts \
    --banner:js="import { createRequire as __kilnRequire } from 'node:module'; const require = __kilnRequire(import.meta.url);" \
    --log-level=warning --outfile="$bundle/kiln-gpu.mjs")
  # Native modules: Linux x64 only, compressed (the carried tree is limited to 64 MiB).
  local nm="$pkg/node_modules"
  local webgpu_dir ort_dir common_dir
  webgpu_dir="$(readlink -f "$nm/webgpu")"
  ort_dir="$(readlink -f "$nm/onnxruntime-node")"
  common_dir="$(readlink -f "$ort_dir/../onnxruntime-common")"
  mkdir -p "$bundle/node_modules/webgpu/dist/linux-x64" "$bundle/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
  cp "$webgpu_dir/package.json" "$webgpu_dir/index.js" "$bundle/node_modules/webgpu/"
  cp "$webgpu_dir/dist/index.js" "$bundle/node_modules/webgpu/dist/" 2>/dev/null || true
  cp "$webgpu_dir/dist/linux-x64/dawn.node" "$bundle/node_modules/webgpu/dist/linux-x64/"
  cp -r "$ort_dir/package.json" "$ort_dir/dist" "$bundle/node_modules/onnxruntime-node/"
  cp "$ort_dir"/bin/napi-v6/linux/x64/* "$bundle/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/"
  cp -rL "$common_dir" "$bundle/node_modules/onnxruntime-common"
  cp "$(readlink -f "$(command -v node)")" "$bundle/node"
  # The Vulkan loader, for a machine without one (Debian's, as the device notes describe).
  (cd "$bundle/debs" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "note: could not download libvulkan1; the GPU machine must have a Vulkan loader" >&2
  find "$bundle" -type f \( -name node -o -name '*.node' -o -name '*.so*' \) -size +1M -exec xz -T2 -6 {} \;
  du -sh "$bundle"
}

# xz, or Python's lzma where the machine has no xz.
unxz() {
  if command -v xz >/dev/null; then
    xz -dc "$1"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  fi
}

run() {
  [ -f "$bundle/kiln-gpu.mjs" ] || { echo "no $bundle/kiln-gpu.mjs: run 'bench/gpu.sh pack' first and carry .gpu" >&2; exit 1; }
  # Unpacked into a scratch folder, so .gpu stays as packed (ready to carry again).
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/kiln-gpu.XXXXXX")"
  (cd "$bundle" && find . -type f ! -path './debs/*' -print0) | while IFS= read -r -d '' f; do
    mkdir -p "$work/$(dirname "$f")"
    case "$f" in
      *.xz) unxz "$bundle/$f" >"$work/${f%.xz}" ;;
      *) cp "$bundle/$f" "$work/$f" ;;
    esac
  done
  chmod +x "$work/node"
  if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
    for f in "$bundle"/debs/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
    ldconfig 2>/dev/null || true
  fi
  local nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  local found=""
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do
    if ls "$dir"/*.json >/dev/null 2>&1; then found=1; fi
  done
  if [ -z "$found" ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
    export VK_DRIVER_FILES="$nvidia_icd" VK_ICD_FILENAMES="$nvidia_icd"
  fi
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  echo "Vulkan driver: ${VK_ICD_FILENAMES:-default search}"
  local log=/dev/null
  if [ -n "${OUT:-}" ]; then
    log="$OUT/gpu-bench.log"
    : >"$log"
  fi
  local only="${1:-}" status=0 passed=0 failed=0 line
  set +e
  if [ "$only" != "--bench-only" ]; then
    # One process per test file, as vitest runs them.
    for name in $(cd "$work" && ./node kiln-gpu.mjs --list); do
      (cd "$work" && ./node kiln-gpu.mjs --test "$name") 2>&1 | tee "$work/test.log" | tee -a "$log"
      line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/test.log" | tail -1)"
      if [ -z "$line" ]; then
        echo "$name: no result line (crashed?)"
        failed=$((failed + 1))
      else
        passed=$((passed + ${line%% *}))
        line="${line#*, }"
        failed=$((failed + ${line%% *}))
      fi
    done
    echo "webgpu tests on this GPU: $passed passed, $failed failed" | tee -a "$log"
    [ "$failed" -eq 0 ] || status=1
  fi
  if [ "$only" != "--tests-only" ]; then
    (cd "$work" && ./node kiln-gpu.mjs --bench) 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  fi
  set -e
  rm -rf "$work"
  return "$status"
}

case "$verb" in
  pack) pack ;;
  run) run "$@" ;;
  local)
    pack
    KILN_BENCH_SIZES=small run "$@"
    ;;
  *)
    sed -n '2,24p' "$0"
    exit 2
    ;;
esac
