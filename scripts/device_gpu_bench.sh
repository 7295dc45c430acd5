#!/usr/bin/env bash
# The GPU benchmark in one go, for a session whose task is lent a CUDA machine (the device tool).
#
#   scripts/device_gpu_bench.sh fetch        # HERE, once: wheels the GPU image lacks -> .whl/ (git-excluded)
#   scripts/device_gpu_bench.sh [run] [PART] # THERE (device tool, carry [".whl"]): tables -> $OUT (or ./gpu-bench)
#
# PART: quick (default, sized for one 10-minute command: the distilled path with every variant, the
# two-stage and Wan paths plain + repeat, the FLOP floors), ltx2, wan, or all (the whole table: more
# than one command's limit; run ltx2 and wan as separate commands). Installs nothing outside the
# repository: the carried wheels go to .device-site/ (git-excluded) and PYTHONPATH points there. The
# image's python3 has CUDA torch, transformers and scikit-image; diffusers, Django, librosa and the
# audio libraries our backend imports travel as wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(diffusers django asgiref sqlparse soundfile cffi pycparser librosa audioread soxr pooch
  standard-aifc standard-sunau standard-chunk decorator janome av)
mode=run
[[ ${1:-} == fetch ]] && mode=fetch
[[ ${1:-} == run || ${1:-} == fetch ]] && shift
part=${1:-quick}

if [[ $mode == fetch ]]; then
  exclude="$(git rev-parse --git-common-dir)/info/exclude"
  grep -qx '/.whl/' "$exclude" 2>/dev/null || echo /.whl/ >>"$exclude"
  for name in "${PACKAGES[@]}"; do
    version=$(.venv/bin/python -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p')
    [[ -n $version ]] || { echo "skip $name: not in the venv"; continue; }
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      --platform any -d .whl "$name==$version"
  done
  du -sh .whl
  exit 0
fi

out=${OUT:-gpu-bench}
mkdir -p "$out"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target .device-site .whl/*.whl
  export PYTHONPATH=$PWD/.device-site${PYTHONPATH:+:$PYTHONPATH}
fi
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
python3 - <<'EOF' | tee "$out/environment.txt"
import torch, diffusers, transformers
print("torch", torch.__version__, "diffusers", diffusers.__version__, "transformers", transformers.__version__)
print(torch.cuda.get_device_name(0), "capability", torch.cuda.get_device_capability(0))
import bench.gpu_speedups  # every import the backend needs: fails here, early, if a wheel is missing
EOF

bench() { python3 bench/gpu_generation.py "$@"; }
floors() { bench --ltx2 --flops-only H200 --seconds 5 | tee "$out/ltx2_floors.md"; }
case $part in
  quick)
    floors
    bench --speedups --pipelines ltx2-distilled --json "$out/distilled.json" --markdown "$out/distilled.md"
    bench --speedups --pipelines ltx2-two_stage,wan-t2v --steps 8 --speedup-variants repeat,cfg-batch \
      --json "$out/guided.json" --markdown "$out/guided.md"
    ;;
  ltx2)
    floors
    bench --speedups --pipelines ltx2-distilled,ltx2-two_stage,ltx2-full --json "$out/ltx2.json" --markdown "$out/ltx2.md"
    ;;
  wan) bench --speedups --pipelines wan-t2v --json "$out/wan.json" --markdown "$out/wan.md" ;;
  all)
    floors
    bench --speedups --json "$out/all.json" --markdown "$out/all.md"
    ;;
  *) echo "unknown part $part: quick, ltx2, wan or all" >&2; exit 2 ;;
esac
