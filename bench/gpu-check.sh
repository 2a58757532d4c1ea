#!/usr/bin/env bash
# The GPU check (issue 8): on a machine with a real GPU, runs the Vulkan test suite on the GPU and times GEMM and
# MLP/CNN training steps on the CPU and on each Vulkan device side by side (`engine bench-device`). One prepared run
# of a few minutes that needs no internet.
#
#   bench/gpu-check.sh [--prebuilt] [-- bench-device arguments]   with the .NET 10 SDK there (packages restored)
#   bench/gpu-check.sh --prepare [FILE]                           here: pack a bundle for a machine without .NET
#   bench/gpu-check.sh --bundle [FILE] [-- bench-device arguments]   there: run from that bundle
#
# --prepare (on a machine with the SDK and the Debian archive, same architecture as the GPU machine) writes FILE
# (default .gpu-check/bundle.tar.xz, about 40 MB): the .NET runtime copied from the local SDK, engine (Engine.Cli)
# and the Vulkan tests (a self-running Microsoft.Testing.Platform build), and the .debs of libvulkan1 and
# vulkan-validationlayers (`apt-get download`). --bundle unpacks it into .gpu-check/run and runs from there.
#
# Environment:
#   OUT            where the results go (default: a new /tmp/engine-gpu-check.* directory); at most 7 files:
#                  gpu-check.log, vulkaninfo.txt, info.json, vulkan-tests.log, vulkan-tests.trx, bench-device.json,
#                  bench-device.log
#   ENGINE_DEVICE  the device the Vulkan tests run on (default vulkan:0, the first discrete GPU)
#   VULKAN_DEBS    a directory of .deb files unpacked into / before anything runs (default: the bundle's, else .gl
#                  relative to the repository root): the Vulkan loader libvulkan1 where none is installed, and
#                  vulkan-validationlayers for the validation test
#   DOTNET         the dotnet executable (default: the bundle's, else dotnet on PATH)
#
# Exits non-zero when the Vulkan tests fail or the benchmark cannot run; the benchmark runs even after failed tests.
set -uo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

mode=sdk
bundle="$repo/.gpu-check/bundle.tar.xz"
bench_args=()
while (($# > 0)); do
    case "$1" in
        --prebuilt) mode=prebuilt ;;
        --prepare|--bundle)
            mode="${1#--}"
            if [[ $# -gt 1 && "$2" != --* ]]; then bundle="$(realpath -m "$2")"; shift; fi ;;
        --) shift; bench_args=("$@"); break ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ "$mode" == prepare ]]; then
    set -e
    stage="$(mktemp -d /tmp/engine-gpu-bundle.XXXXXX)"
    echo "gpu-check: staging in $stage" >&2
    dotnet publish src/Engine.Cli -c Release -r linux-x64 --self-contained false -o "$stage/cli" -v quiet -nologo
    dotnet publish tests/Engine.Vulkan.Tests -c Release -r linux-x64 --self-contained false -o "$stage/tests" -v quiet -nologo \
        -p:EnableMSTestRunner=true -p:TestingPlatformDotnetTestSupport=false
    rm -rf "$stage/tests/Microsoft.CodeCoverage" "$stage/tests"/libInstrumentationEngine.so "$stage/tests"/*.xml
    root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    runtime="$(ls -d "$root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -n 1)"
    mkdir -p "$stage/dotnet/shared/Microsoft.NETCore.App"
    cp -a "$root/dotnet" "$root/host" "$stage/dotnet/"
    cp -a "$runtime" "$stage/dotnet/shared/Microsoft.NETCore.App/"
    mkdir -p "$stage/debs"
    (cd "$stage/debs" && apt-get download libvulkan1 vulkan-validationlayers)
    mkdir -p "$(dirname "$bundle")"
    XZ_OPT="${XZ_OPT:--6 -T0}" tar -C "$stage" -cJf "$bundle" dotnet cli tests debs
    # Keep the bundle out of commits (it still travels when a tool copies ignored paths it is told to carry).
    if exclude="$(git rev-parse --git-path info/exclude 2>/dev/null)" && [[ "$bundle" == "$repo/.gpu-check/"* ]] \
        && ! grep -qx '/.gpu-check/' "$exclude" 2>/dev/null; then
        echo '/.gpu-check/' >>"$exclude"
    fi
    rm -rf "$stage"
    echo "gpu-check: wrote $bundle ($(du -h "$bundle" | cut -f1)); run bench/gpu-check.sh --bundle there" >&2
    exit 0
fi

out="${OUT:-$(mktemp -d /tmp/engine-gpu-check.XXXXXX)}"
mkdir -p "$out"
log="$out/gpu-check.log"
say() { echo "gpu-check: $*" | tee -a "$log" >&2; }
say "results in $out ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -m), $(nproc) cores, mode $mode)"

dotnet="${DOTNET:-dotnet}"
debs="${VULKAN_DEBS:-.gl}"
if [[ "$mode" == bundle ]]; then
    [[ -f "$bundle" ]] || { say "no bundle at $bundle (make one with --prepare)"; exit 1; }
    # Inside the repository, so that the tests which compare shaders/ with the embedded SPIR-V find the sources.
    unpacked="$repo/.gpu-check/run"
    rm -rf "$unpacked" && mkdir -p "$unpacked" && tar -C "$unpacked" -xJf "$bundle" || { say "could not unpack $bundle"; exit 1; }
    export DOTNET_ROOT="$unpacked/dotnet" PATH="$unpacked/dotnet:$PATH"
    dotnet="${DOTNET:-$unpacked/dotnet/dotnet}"
    debs="${VULKAN_DEBS:-$unpacked/debs}"
fi

# 1. The Vulkan loader and validation layer from .debs. NVIDIA's driver brings its own Vulkan driver (ICD) but not
# always the loader libvulkan.so.1.
if compgen -G "$debs/*.deb" >/dev/null; then
    say "unpacking $(cd "$debs" && echo *.deb) into /"
    for f in "$debs"/*.deb; do dpkg -x "$f" /; done
    ldconfig
fi
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' \
    || say "no Vulkan loader (libvulkan.so.1) installed or in $debs: the Vulkan tests will fail (see docs/benchmarks.md)"
# Containers that mount NVIDIA's driver under /usr/local/nvidia keep its ICD manifest there, where the loader does not look.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -z "${VK_DRIVER_FILES:-}" && -z "${VK_ICD_FILENAMES:-}" && -f "$nvidia_icd" ]]; then
    export VK_DRIVER_FILES="$nvidia_icd"
    say "using the NVIDIA ICD at $nvidia_icd"
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$log" >&2

# 2. What the loader sees.
if command -v vulkaninfo >/dev/null; then
    vulkaninfo --summary >"$out/vulkaninfo.txt" 2>&1 || say "vulkaninfo failed"
    cat "$out/vulkaninfo.txt" >&2
else
    say "vulkaninfo not installed (Debian package vulkan-tools); engine info below lists the devices instead"
fi

# 3. Build (Release) with the SDK, or take the outputs built before.
if [[ "$mode" == sdk ]]; then
    say "building Release"
    for project in tests/Engine.Vulkan.Tests src/Engine.Cli; do
        if ! "$dotnet" build "$project" -c Release -v quiet -nologo >>"$log" 2>&1; then
            say "dotnet build $project failed (last lines of $log follow)"
            tail -n 30 "$log" >&2
            exit 1
        fi
    done
fi
if [[ "$mode" == bundle ]]; then
    cli="$unpacked/cli/Engine.Cli.dll"
    tests="$unpacked/tests/Engine.Vulkan.Tests"
else
    cli=src/Engine.Cli/bin/Release/net10.0/Engine.Cli.dll
    tests=tests/Engine.Vulkan.Tests/bin/Release/net10.0/Engine.Vulkan.Tests.dll
fi
for f in "$cli" "$tests"; do
    [[ -f "$f" ]] || { say "$f is missing: build first (without --prebuilt)"; exit 1; }
done
"$dotnet" "$cli" info --json >"$out/info.json" 2>>"$log" || say "engine info failed"
cat "$out/info.json" >&2

# 4. The Vulkan test suite on the GPU: a missing device fails instead of skipping.
say "Vulkan tests on ${ENGINE_DEVICE:-vulkan:0}"
export ENGINE_DEVICE="${ENGINE_DEVICE:-vulkan:0}"
test_status=0
if [[ "$mode" == bundle ]]; then
    ENGINE_REQUIRE_VULKAN=1 timeout 400 "$tests" --report-trx --report-trx-filename vulkan-tests.trx --results-directory "$out" \
        >"$out/vulkan-tests.log" 2>&1 || test_status=$?
    grep -E "^\s*(total|failed|succeeded|skipped):|^failed " "$out/vulkan-tests.log" | tee -a "$log" >&2
else
    ENGINE_REQUIRE_VULKAN=1 timeout 400 "$dotnet" test tests/Engine.Vulkan.Tests -c Release --no-build \
        --logger "trx;LogFileName=vulkan-tests.trx" --results-directory "$out" >"$out/vulkan-tests.log" 2>&1 || test_status=$?
    grep -E "^(Passed|Failed)!|^\s+Failed " "$out/vulkan-tests.log" | tee -a "$log" >&2
fi
((test_status == 0)) || say "the Vulkan tests failed (status $test_status; see vulkan-tests.log)"

# 5. CPU against every Vulkan device: GEMM GFLOP/s, MLP and CNN training-step milliseconds.
say "engine bench-device ${bench_args[*]}"
bench_status=0
timeout 300 "$dotnet" "$cli" bench-device --json "${bench_args[@]}" >"$out/bench-device.json" 2>"$out/bench-device.log" || bench_status=$?
if ((bench_status == 0)); then
    if command -v python3 >/dev/null; then
        python3 - "$out/bench-device.json" <<'EOF' | tee -a "$log"
import json, sys
r = json.load(open(sys.argv[1]))
devs = [d for d in r["devices"] if not d["error"]]
print("workload".ljust(34) + "".join(d["device"].rjust(14) for d in devs))
def cell(entry, key, fmt):
    return ("n/a" if entry.get("error") or entry.get(key) is None else fmt.format(entry[key])).rjust(14)
for i, n in enumerate(r["config"]["gemm_sizes"]):
    print(f"GEMM {n}^3 float32 GFLOP/s".ljust(34) + "".join(cell(d["gemm"][i], "gflops", "{:.1f}") for d in devs))
for i, m in enumerate(r["config"]["models"]):
    print(f"{m} step batch {r['config']['batch']} ms (median)".ljust(34) + "".join(cell(d["training"][i], "median_ms", "{:.2f}") for d in devs))
for d in r["devices"]:
    print(f"{d['device']}: {d['name'] or d['error']}")
    for entry in d["gemm"] + d["training"]:
        if entry.get("error"):
            print(f"  {entry.get('model') or 'GEMM ' + str(entry.get('n'))}: {entry['error']}")
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
