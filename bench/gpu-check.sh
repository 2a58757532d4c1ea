#!/usr/bin/env bash
# The GPU check (issue 8): on a machine with a real GPU, runs the Vulkan test suite on the GPU and times GEMM and
# MLP/CNN training steps on the CPU and on each Vulkan device side by side (`engine bench-device`). One prepared run
# of a few minutes that needs no internet: the .NET 10 SDK (`dotnet` on PATH, or DOTNET=/path/to/dotnet) with the
# NuGet packages already restored, or --prebuilt with Release outputs built beforehand.
#
#   bench/gpu-check.sh [--prebuilt] [-- extra engine bench-device arguments]
#
# Environment:
#   OUT            where the results go (default: a new /tmp/engine-gpu-check.* directory); at most 7 files:
#                  gpu-check.log, vulkaninfo.txt, info.json, vulkan-tests.log, vulkan-tests.trx, bench-device.json,
#                  bench-device.log
#   ENGINE_DEVICE  the device the Vulkan tests run on (default vulkan:0, the first discrete GPU)
#   VULKAN_DEBS    a directory of .deb files (libvulkan1 at least) unpacked into / when no Vulkan loader is installed
#                  (default .gl, relative to the repository root); see docs/benchmarks.md
#   DOTNET         the dotnet executable (default: dotnet on PATH)
#
# Exits non-zero when the Vulkan tests fail or the benchmark cannot run; the benchmark runs even after failed tests.
set -uo pipefail
cd "$(dirname "$0")/.."

prebuilt=0
bench_args=()
while (($# > 0)); do
    case "$1" in
        --prebuilt) prebuilt=1 ;;
        --) shift; bench_args=("$@"); break ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

out="${OUT:-$(mktemp -d /tmp/engine-gpu-check.XXXXXX)}"
mkdir -p "$out"
log="$out/gpu-check.log"
say() { echo "gpu-check: $*" | tee -a "$log" >&2; }
dotnet="${DOTNET:-dotnet}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
say "results in $out ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -m), $(nproc) cores)"

# 1. The Vulkan loader. NVIDIA's driver brings its own Vulkan driver (ICD) but not always the loader libvulkan.so.1.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
    debs="${VULKAN_DEBS:-.gl}"
    if compgen -G "$debs/*.deb" >/dev/null; then
        say "no Vulkan loader installed: unpacking $debs/*.deb into /"
        for f in "$debs"/*.deb; do dpkg -x "$f" /; done
        ldconfig
    else
        say "no Vulkan loader (libvulkan.so.1) and no .deb files in $debs: the Vulkan tests will fail (see docs/benchmarks.md)"
    fi
fi
# Containers that mount NVIDIA's driver under /usr/local/nvidia keep its ICD manifest there, where the loader does not look.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -z "${VK_DRIVER_FILES:-}" && -z "${VK_ICD_FILENAMES:-}" && -f "$nvidia_icd" ]]; then
    export VK_DRIVER_FILES="$nvidia_icd"
    say "using the NVIDIA ICD at $nvidia_icd"
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$log" >&2

# 2. What the loader sees.
if command -v vulkaninfo >/dev/null; then
    vulkaninfo --summary >"$out/vulkaninfo.txt" 2>&1 || say "vulkaninfo failed (status $?)"
    cat "$out/vulkaninfo.txt" >&2
else
    say "vulkaninfo not installed (Debian package vulkan-tools); engine info below lists the devices instead"
fi

# 3. Build (Release), unless --prebuilt.
if ((prebuilt == 0)); then
    say "building Release"
    for project in tests/Engine.Vulkan.Tests src/Engine.Cli; do
        if ! "$dotnet" build "$project" -c Release -v quiet -nologo >>"$log" 2>&1; then
            say "dotnet build $project failed (last lines of $log follow)"
            tail -n 30 "$log" >&2
            exit 1
        fi
    done
fi
cli=src/Engine.Cli/bin/Release/net10.0/Engine.Cli.dll
tests=tests/Engine.Vulkan.Tests/bin/Release/net10.0/Engine.Vulkan.Tests.dll
for f in "$cli" "$tests"; do
    [[ -f "$f" ]] || { say "$f is missing: build first (without --prebuilt)"; exit 1; }
done
"$dotnet" "$cli" info --json >"$out/info.json" 2>>"$log" || say "engine info failed"
cat "$out/info.json" >&2

# 4. The Vulkan test suite on the GPU: a missing device fails instead of skipping.
say "Vulkan tests on ${ENGINE_DEVICE:-vulkan:0}"
test_status=0
ENGINE_REQUIRE_VULKAN=1 ENGINE_DEVICE="${ENGINE_DEVICE:-vulkan:0}" \
    timeout 600 "$dotnet" test tests/Engine.Vulkan.Tests -c Release --no-build \
    --logger "trx;LogFileName=vulkan-tests.trx" --results-directory "$out" >"$out/vulkan-tests.log" 2>&1 || test_status=$?
grep -E "^(Passed|Failed)!|^\s+Failed " "$out/vulkan-tests.log" | tee -a "$log" >&2
((test_status == 0)) || say "the Vulkan tests failed (status $test_status; see vulkan-tests.log)"

# 5. CPU against every Vulkan device: GEMM GFLOP/s, MLP and CNN training-step milliseconds.
say "engine bench-device ${bench_args[*]}"
bench_status=0
timeout 900 "$dotnet" "$cli" bench-device --json "${bench_args[@]}" >"$out/bench-device.json" 2>"$out/bench-device.log" || bench_status=$?
if ((bench_status == 0)); then
    if command -v python3 >/dev/null; then
        python3 - "$out/bench-device.json" <<'EOF' | tee -a "$log"
import json, sys
r = json.load(open(sys.argv[1]))
devs = r["devices"]
print("workload".ljust(34) + "".join(d["device"].rjust(14) for d in devs))
def cell(entry, key, fmt):
    return ("n/a" if entry.get("error") or entry.get(key) is None else fmt.format(entry[key])).rjust(14)
for i, n in enumerate(r["config"]["gemm_sizes"]):
    print(f"GEMM {n}^3 float32 GFLOP/s".ljust(34) + "".join(cell(d["gemm"][i], "gflops", "{:.1f}") for d in devs if not d["error"]))
for i, m in enumerate(r["config"]["models"]):
    print(f"{m} step batch {r['config']['batch']} ms (median)".ljust(34) + "".join(cell(d["training"][i], "median_ms", "{:.2f}") for d in devs if not d["error"]))
for d in devs:
    print(f"{d['device']}: {d['name'] or d['error']}")
EOF
    else
        cat "$out/bench-device.json"
    fi
else
    say "engine bench-device failed (status $bench_status; see bench-device.log)"
    tail -n 20 "$out/bench-device.log" >&2
fi

say "done: tests status $test_status, bench status $bench_status; results in $out"
((test_status == 0 && bench_status == 0))
