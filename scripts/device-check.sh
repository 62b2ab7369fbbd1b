#!/usr/bin/env bash
# The reference trainer's CUDA path, in one short run on a machine with an NVIDIA GPU and a
# current PyTorch (the `python3` on PATH, or $PYTHON). It
#   1. prints the GPU, PyTorch and CUDA versions,
#   2. trains the same small model (4 × 128, 2M characters) on the GPU and on the CPU, same seed,
#      and checks that the validation losses agree (fp32 both; TF32 matmuls are off by default),
#   3. if `node` is there too, runs the trainer smoke test (two runs through the local backend into
#      the store) with the trainer on the GPU.
# The corpus must be prepared first (examples/trainers/prepare_data.py needs node_modules); on a
# machine without them, bring examples/trainers/data along. Writes its logs to ${OUT:-/tmp}.
#
#   bash scripts/device-check.sh            # DEVICE=cuda by default; DEVICE=cpu checks the script itself
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
device=${DEVICE:-cuda}
out=${OUT:-/tmp}/device-check
mkdir -p "$out"
data="$repo/examples/trainers/data/moby"
[ -f "$data/train.txt" ] || { echo "device-check: no corpus in $data (run examples/trainers/prepare_data.py here first)" >&2; exit 2; }

"$py" - "$device" <<'EOF' | tee "$out/versions.txt"
import sys, torch
device = sys.argv[1]
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuda available: {torch.cuda.is_available()}")
if device == "cuda":
    if not torch.cuda.is_available():
        sys.exit("device-check: PyTorch sees no GPU")
    print(f"GPU: {torch.cuda.get_device_name(0)}")
EOF

args=(--layers 4 --d-model 128 --tokens 2e6 --batch-tokens 8192 --lr 3e-3 --n-evals 4 --data "$data")
devices=("$device")
[ "$device" = cpu ] || devices+=(cpu)   # DEVICE=cpu: one run, compared with itself (a check of this script)
for d in "${devices[@]}"; do
  rm -rf "$out/run-$d"
  start=$(date +%s)
  "$py" "$repo/examples/trainers/train.py" "${args[@]}" --device "$d" --out "$out/run-$d" 2>"$out/run-$d.err" \
    || { tail -n 20 "$out/run-$d.err" >&2; echo "device-check: train.py failed on $d" >&2; exit 1; }
  echo "$d: $(($(date +%s) - start)) s; $(tail -n 1 "$out/run-$d.err")"
done
"$py" - "$out/run-$device/metrics.jsonl" "$out/run-cpu/metrics.jsonl" "$device" <<'EOF' | tee "$out/compare.txt"
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
worst = 0.0
for x, y in zip(a, b):
    d = abs(x["val_loss"] - y["val_loss"])
    worst = max(worst, d)
    print(f"step {x['step']}: val_loss {x['val_loss']:.5f} ({sys.argv[3]}) vs {y['val_loss']:.5f} (cpu), |diff| {d:.1e}")
if len(a) != len(b) or worst > 1e-2:
    sys.exit("device-check: the GPU and CPU runs disagree (more than 0.01 nats, or different evaluations)")
EOF

if command -v node >/dev/null && [ -d "$repo/node_modules" ]; then
  (cd "$repo" && SCALELAB_PYTHON="$(command -v "$py")" SCALELAB_TRAINER_DEVICE="$device" node --import tsx --test test/trainer-smoke.test.ts) | tee "$out/smoke.txt"
else
  echo "no node here: the local-backend smoke test was not run (the trainer itself was)"
fi
echo "device-check: the trainer runs on $device and agrees with the CPU"
