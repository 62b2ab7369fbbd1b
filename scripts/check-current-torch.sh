#!/usr/bin/env bash
# The reference trainer on current PyTorch, on this machine's CPU. Debian 12 ships PyTorch 1.13,
# which CI uses; Debian 13 (trixie) ships 2.x. This script puts a minimal trixie with its
# python3-torch in a folder (debootstrap, about 1.5 GB, once), then
#   1. trains the same tiny model on both PyTorches and checks that the losses agree, and
#   2. runs the trainer smoke test (two runs through the local backend into the store) on 2.x.
# It needs root (debootstrap, chroot, bind mounts) and Debian's package mirror the first time.
# Not part of CI: it downloads too much. The CUDA path needs a GPU: see scripts/device-check.sh.
#
#   sudo bash scripts/check-current-torch.sh          # TRIXIE_ROOT=/var/tmp/scalelab-trixie by default
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${TRIXIE_ROOT:-/var/tmp/scalelab-trixie}

if [ "$(id -u)" != 0 ]; then echo "check-current-torch.sh: needs root (debootstrap, chroot, mount)" >&2; exit 2; fi
work=$(mktemp -d /var/tmp/scalelab-torch-check.XXXXXX)
mounts=()
cleanup() {
  # Unmount before removing anything: a bind mount left inside $root would expose the repository
  # to a later `rm -rf $root`.
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || echo "check-current-torch.sh: WARNING: could not unmount ${mounts[i]}; unmount it before deleting $root" >&2
  done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
if ! [ -x "$root/usr/bin/python3" ] || ! chroot "$root" /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
  echo "debootstrap: Debian trixie with python3-torch into $root (once)" >&2
  debootstrap --variant=minbase --include=python3-torch trixie "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
fi

# The repository and the scratch folder appear at the same paths inside, so the paths the local
# backend writes into its commands mean the same thing on both sides.
bind() { mkdir -p "$root$1"; mount --bind "$1" "$root$1"; mounts+=("$root$1"); }
mkdir -p "$root/proc"
mount -t proc proc "$root/proc"
mounts+=("$root/proc")
bind "$repo"
bind "$work"

python="$work/python-trixie"
cat >"$python" <<EOF
#!/bin/sh
# Debian trixie's python3 (with its PyTorch), run in the caller's folder.
exec chroot "$root" /bin/sh -c 'cd "\$0" && exec /usr/bin/python3 "\$@"' "\$PWD" "\$@"
EOF
chmod +x "$python"

echo "PyTorch here: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'); in trixie: $("$python" -c 'import torch; print(torch.__version__)' 2>/dev/null)" >&2

# 1. The same run, same seed, on both: the trainer uses nothing whose numbers changed between them.
data="$work/moby"
/usr/bin/python3 "$repo/examples/trainers/prepare_data.py" "$data" >/dev/null
for py in /usr/bin/python3 "$python"; do
  out="$work/run-$(basename "$py")"
  "$py" -W error::DeprecationWarning -W error::FutureWarning "$repo/examples/trainers/train.py" --layers 2 --d-model 32 \
    --tokens 1e5 --batch-tokens 2048 --n-evals 2 --threads 1 --data "$data" --out "$out" 2>"$out.err" \
    || { cat "$out.err" >&2; echo "train.py failed under $py" >&2; exit 1; }
done
/usr/bin/python3 - "$work/run-python3/metrics.jsonl" "$work/run-python-trixie/metrics.jsonl" <<'EOF'
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:])
if len(a) != len(b) or not a:
    sys.exit(f"different evaluations: {len(a)} under 1.13, {len(b)} under 2.x")
for x, y in zip(a, b):
    d = abs(x["val_loss"] - y["val_loss"])
    print(f"step {x['step']}: val_loss {x['val_loss']:.6f} (1.13) vs {y['val_loss']:.6f} (2.x), |diff| {d:.1e}", file=sys.stderr)
    if d > 1e-3:
        sys.exit("the two PyTorches disagree by more than 1e-3 nats")
EOF

# 2. The smoke test, with trixie's python as the trainer's interpreter.
cd "$repo"
SCALELAB_PYTHON="$python" TMPDIR="$work" node --import tsx --test test/trainer-smoke.test.ts
echo "current PyTorch: the trainer agrees with 1.13 and the smoke test passes" >&2
