#!/usr/bin/env python3
"""Builds curves.csv and schedules.json here from the Gemstones repository's W&B extracts.

Written for ScaleLab's curve-law back-test (bench/curve-law-backtest.ts); not part of the library.
Every step is described in PROVENANCE.md. Run it with a clone of github.com/mcleish7/gemstone-scaling-laws
(commit 5f42047; bare or not) and the standard library only:

    python3 examples/curve-laws/gemstones-wsd/extract.py --repo PATH

Output is deterministic: rerunning it rewrites identical files.
"""
import argparse
import csv
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
COMMIT = "5f420478f6057b0cbb4d13405fb10ca64675bccb"
TOKENS_PER_STEP = 2048 * 2048
TRUNK_STEPS = 83475  # 350B tokens, the main suite's length


def read_jsonl(repo, path):
    text = subprocess.run(
        ["git", "-C", repo, "show", f"{COMMIT}:{path}"], check=True, capture_output=True, text=True
    ).stdout
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    repo = ap.parse_args().repo
    hot = read_jsonl(repo, "wandb_dfs/wandb_df_for_fitting_hot_100b+_477.jsonl")
    begin = read_jsonl(repo, "wandb_dfs/wandb_df_for_fitting_cool_begin.jsonl")
    end = read_jsonl(repo, "wandb_dfs/wandb_df_for_fitting_cool_end.jsonl")
    for r in hot + begin + end:
        if r["tokens"] != r["step"] * TOKENS_PER_STEP:
            raise SystemExit(f"{r['run_name']} step {r['step']}: tokens {r['tokens']} != step x 2048 x 2048")
    shape = lambda r: f"{r['width']}x{r['depth']}"
    trunk = {}
    for r in hot:
        trunk.setdefault(shape(r), {})[r["step"]] = r
    branches = {}
    for b, e in zip(begin, end):
        # Rows pair by position (all ten cooldowns of a model share its run_name): each must end 10 % after
        # it began, as the model cards say, or the files are not in the same order.
        if b["run_name"] != e["run_name"] or abs(e["step"] / b["step"] - 1.1) > 0.001:
            raise SystemExit(f"cool_begin step {b['step']} and cool_end step {e['step']} of {b['run_name']} do not pair")
        branches.setdefault(shape(b), []).append((b, e))
    rows, schedules, left_out = [], {}, []
    for s in sorted(trunk, key=lambda s: (trunk[s][477]["params_active_precise"], s)):
        pairs = branches.get(s)
        if not pairs:
            left_out.append(f"{s}: no cooldown runs")
            continue
        # A branch must leave this trunk: its first evaluation equals the trunk's at the branch point
        # wherever the trunk has a checkpoint there. Shapes whose cooldowns left another trunk are out.
        # (to 1e-5 nats: three branch points differ from their trunk's value in the 7th digit, float32 logging)
        clash = [
            b["step"]
            for b, _ in pairs
            if b["step"] in trunk[s] and abs(trunk[s][b["step"]]["final_loss"] - b["final_loss"]) > 1e-5
        ]
        if clash:
            left_out.append(f"{s}: cooldowns start from another trunk (steps {clash})")
            continue
        N = trunk[s][477]["params_active_precise"]
        model = f"Gemstone-{s}"
        name = f"{model}-trunk"
        schedules[name] = {"kind": "constant", "peakLr": 1, "steps": TRUNK_STEPS, "warmupSteps": 0}
        for step in sorted(trunk[s]):
            r = trunk[s][step]
            rows.append([name, model, N, step, r["tokens"], f"{r['final_loss']:.10g}", "trunk"])
        for b, e in pairs:
            name = f"{model}-cooldown-{b['step']}-to-{e['step']}"
            schedules[name] = {
                "kind": "wsd", "peakLr": 1, "steps": e["step"], "warmupSteps": 0,
                # Decayed linearly to 0; a curve law needs a positive learning rate at every step, so the
                # last step keeps 1/decaySteps of the peak (a line reaching 0 one step later).
                "decaySteps": e["step"] - b["step"], "minLrFrac": 1 / (e["step"] - b["step"]), "decayShape": "linear",
            }
            rows.append([name, model, N, e["step"], e["tokens"], f"{e['final_loss']:.10g}", "cooldown"])
    with open(os.path.join(HERE, "curves.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["run", "model", "N", "step", "tokens", "loss", "kind"])
        w.writerows(rows)
    with open(os.path.join(HERE, "schedules.json"), "w") as f:
        json.dump(schedules, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(rows)} rows, {len(schedules)} runs; left out: " + "; ".join(left_out))


if __name__ == "__main__":
    main()
