#!/usr/bin/env bash
# Compiles shaders/*.comp to SPIR-V in shaders/spirv/ (embedded in Engine.Vulkan) and rewrites the manifest of
# source hashes that ShaderManifestTests checks. Needs glslc (Debian package glslc); users of the engine never do.
# Variants: a line "name: DEFINE..." in variants.txt builds name.spv from the .comp with those -D defines.
set -euo pipefail
cd "$(dirname "$0")"
rm -f spirv/*.spv
while read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    name="${line%%:*}"
    rest="${line#*:}"
    read -r source defines <<<"$rest"
    args=()
    for d in $defines; do args+=("-D$d"); done
    glslc --target-env=vulkan1.1 -O -Werror "${args[@]}" -o "spirv/$name.spv" "$source"
done < variants.txt
# Hash every input (sources, includes, the variant list and this script): any change without a rebuild fails the test.
find . -type f \( -name '*.comp' -o -name '*.glsl' -o -name 'variants.txt' -o -name 'compile.sh' \) -printf '%P\n' \
    | LC_ALL=C sort | xargs sha256sum > spirv/manifest.sha256
echo "compiled $(ls spirv/*.spv | wc -l) modules"
