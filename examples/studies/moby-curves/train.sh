#!/usr/bin/env bash
# The training runs of the moby-curves study (README.md here), two at a time on two cores.
# Usage: bash examples/studies/moby-curves/train.sh OUT_DIR   (from the repository's folder; after prepare_data.py)
# Each run writes OUT_DIR/NAME/metrics.jsonl (every evaluation, with the learning rate and the schedule).
set -euo pipefail
out=${1:?usage: train.sh OUT_DIR}
T=2048000   # 1000 optimizer steps of 2048 characters
train() {   # train NAME D_MODEL TOKENS N_EVALS WARMUP_FRACTION [flags…]
  local name=$1 d=$2 tokens=$3 evals=$4 warmup=$5; shift 5
  /usr/bin/python3 examples/trainers/train.py --layers 2 --d-model "$d" --heads $((d / 8)) --tokens "$tokens" \
    --batch-tokens 2048 --lr 5.7e-3 --parametrization mup --base-width 64 --base-head-dim 8 --threads 1 --seed 0 \
    --n-evals "$evals" --eval-tokens 16384 --warmup "$warmup" --quiet --out "$out/$name" "$@" 2> "$out/$name.log"
}
mkdir -p "$out"
# Slot 1: the larger model's constant-LR trunk, then its cosine run twice as long (prediction (a)).
(
  train d64-constant 64 $T 40 0.05 --schedule constant --save-at 500,800
  train d64-cosine-2x 64 $((2 * T)) 80 0.025 --schedule cosine
) &
# Slot 2: the smaller model's trunk, its two cooldown branches and its cosine run; then the larger model's branches.
(
  train d32-constant 32 $T 40 0.05 --schedule constant --save-at 500,800
  train d32-wsd-0.2 32 $T 40 0.05 --schedule wsd --decay-frac 0.2 --resume "$out/d32-constant/ckpt-800.pt"
  train d32-wsd-0.5 32 $T 40 0.05 --schedule wsd --decay-frac 0.5 --resume "$out/d32-constant/ckpt-500.pt"
  train d32-cosine-2x 32 $((2 * T)) 80 0.025 --schedule cosine
  while [ ! -f "$out/d64-constant/ckpt-800.pt" ]; do sleep 5; done   # the larger trunk's checkpoints
  train d64-wsd-0.2 64 $T 40 0.05 --schedule wsd --decay-frac 0.2 --resume "$out/d64-constant/ckpt-800.pt"
  train d64-wsd-0.5 64 $T 40 0.05 --schedule wsd --decay-frac 0.5 --resume "$out/d64-constant/ckpt-500.pt"
) &
wait
echo "all runs done"
