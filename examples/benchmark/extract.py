#!/usr/bin/env python3
"""Rebuilds every examples/benchmark/<id>/runs.csv from local copies of its sources.

Written for ScaleLab's extrapolation benchmark; it is not part of the library. Every step it takes
is described in the case's PROVENANCE.md, which also says where each source file comes from
(repository, commit, path). Run it with the sources laid out as in SOURCES below:

    python3 examples/benchmark/extract.py --sources DIR [--only ID ...]

Only the Porian et al. cases need pandas (their data are pickled DataFrames); the rest use the
standard library. Output is deterministic: rerunning it rewrites identical files.
"""
import argparse
import csv
import json
import lzma
import math
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Where each source lives under --sources (see each case's PROVENANCE.md for its origin).
SOURCES = {
    "olmo": "olmo-ladder",  # allenai/OLMo-ladder @ 67a3f44 (src/scripts/paper/{data,configs})
    "polypythia": "polypythia",  # {size}-seed{n}.tsv (EleutherAI/pythia @ ccdf770, refs/pull/147/head)
    "porian": "porian",  # summary_df.pickle.xz and summary_df_owt2.pickle.xz (formll/... @ 0dc60d9)
    "cerebras": "cerebras",  # Cerebras_GPT/README.md and the SP *.yaml (Cerebras/modelzoo @ 85864f9)
    "gemstones": "gemstones/wandb_df_for_fitting_cool_end.jsonl",  # mcleish7/... @ 5f42047
}


def write_csv(case_id, header, rows):
    path = os.path.join(HERE, case_id, "runs.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([fmt(r[h]) for h in header])
    print(f"{case_id}: {len(rows)} rows -> {os.path.relpath(path)}")


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)


# --- OLMo ladder (Bhagia et al. 2024) ------------------------------------------------------------

OLMO_C4 = "eval/c4_en-validation/CrossEntropyLoss"
OLMO_VOCAB = 100352  # padded embedding rows; see PROVENANCE.md for how the shapes were checked
# size label -> (n as in the source's configs/final.json and upstream utils.py MODEL_PARAMS,
#                FLOPs per token as in MODEL_FLOPS, d_model inferred from n)
OLMO_SIZES = {
    "190M": (190354176, 1903391232, 768),
    "370M": (371262464, 3443922944, 1024),
    "760M": (758220288, 6373843968, 1536),
    "1.3B": (1279395840, 10109071360, 2048),
    "3.2B": (3169537280, 22970355200, 3328),
    "7B": (6887575552, 49412071424, 4096),
    "13B": (13202396160, 91335915520, 5120),
}
OLMO_FILE_PREFIX = {"190M": "190M", "370M": "370M", "760M": "760M", "1.3B": "1B", "3.2B": "3B"}
OLMO_MOVING_AVG = 5  # the paper's --moving_avg 5


def olmo_row(path, size, run, multiplier, in_paper_fit):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    last = rows[-OLMO_MOVING_AVG:]
    losses = [float(r[OLMO_C4]) for r in last]
    final = last[-1]
    if final.get("throughput/total_tokens"):
        d = int(float(final["throughput/total_tokens"]))
    else:
        d = int(float(final["_step"])) * int(float(final["batch_size_in_tokens"]))
    n, fpt, width = OLMO_SIZES[size]
    step = final.get("_step", "")
    return {
        "run": run,
        "N": n,
        "D": d,
        "loss": sum(losses) / len(losses),
        "C": float(d * fpt),
        "size": size,
        "tokens_multiplier": multiplier,
        "loss_last_eval": losses[-1],
        "evals_averaged": len(losses),
        "last_step": int(float(step)) if step else "",
        "batch_size_in_tokens": int(float(final["batch_size_in_tokens"])) if final.get("batch_size_in_tokens") else "",
        "N_total": n + OLMO_VOCAB * width,
        "N_no_embeddings": n - OLMO_VOCAB * width,
        "flops_per_token": fpt,
        "in_paper_fit": in_paper_fit,
        "source_file": os.path.basename(path),
    }


def build_olmo(src):
    base = os.path.join(src, SOURCES["olmo"], "data", "ladder-runs")
    rows, extra = [], []
    for size in ["190M", "370M", "760M", "1.3B", "3.2B"]:
        prefix = OLMO_FILE_PREFIX[size]
        for mult in ["1xC", "2xC", "5xC", "10xC"]:
            name = f"{prefix}-{mult}"
            rows.append(olmo_row(os.path.join(base, name + ".csv"), size, name, mult,
                                 "yes" if size != "3.2B" else "no"))
        for name, mult in [(f"{prefix}-0.5xC", "0.5xC"), (f"{prefix}-1xC-rerun", "1xC")]:
            extra.append(olmo_row(os.path.join(base, name + ".csv"), size, name, mult, "no"))
    rows.append(olmo_row(os.path.join(base, "peteish7_eval_anneal.csv"), "7B", "peteish7-anneal", "", "target"))
    rows.append(olmo_row(os.path.join(base, "peteish13_eval_final.csv"), "13B", "peteish13-final", "", "target"))
    header = ["run", "N", "D", "loss", "C", "size", "tokens_multiplier", "loss_last_eval", "evals_averaged",
              "last_step", "batch_size_in_tokens", "N_total", "N_no_embeddings", "flops_per_token",
              "in_paper_fit", "source_file"]
    write_csv("olmo-ladder-c4", header, rows)
    path = os.path.join(HERE, "olmo-ladder-c4", "extra-runs.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in extra:
            w.writerow([fmt(r[h]) for h in header])
    print(f"olmo-ladder-c4: {len(extra)} extra rows -> {os.path.relpath(path)}")


# --- PolyPythia training-loss curves ---------------------------------------------------------------

PYTHIA_TOKENS_PER_STEP = 1024 * 2048  # 2,097,152 (Pythia README)
# total parameters and non-embedding parameters (GPT-NeoX, untied 50,304-row embeddings)
POLYPYTHIA_N = {"14m": (14067712, 1189888), "70m": (70426624, 18915328), "160m": (162322944, 85056000)}
# the runs whose per-step file is complete (metadata.tsv: selected = True)
POLYPYTHIA_RUNS = [("14m", s) for s in range(1, 10)] + [("70m", s) for s in (1, 2, 3, 4, 9)] + \
    [("160m", s) for s in (5, 6, 7, 8)]
POLYPYTHIA_FIRST_STEP = 15000  # first row a little past 10 % of the 143,000 steps
POLYPYTHIA_EVERY = 2000
POLYPYTHIA_WINDOW = 1000  # a row's loss: mean of the 1,000 per-step training losses in (s - 1000, s]


def build_polypythia(src):
    rows = []
    for size, seed in POLYPYTHIA_RUNS:
        curve = {}
        with open(os.path.join(src, SOURCES["polypythia"], f"{size}-seed{seed}.tsv")) as f:
            for r in csv.DictReader(f, delimiter="\t"):
                curve[int(r["step"])] = float(r["train/lm_loss"])
        if sorted(curve) != list(range(1, 143001)):
            raise SystemExit(f"polypythia {size} seed {seed}: steps are not exactly 1..143000")
        n_total, n_nonemb = POLYPYTHIA_N[size]
        for s in range(POLYPYTHIA_FIRST_STEP, 143000 + 1, POLYPYTHIA_EVERY):
            window = [curve[t] for t in range(s - POLYPYTHIA_WINDOW + 1, s + 1)]
            if not all(math.isfinite(x) for x in window):
                raise SystemExit(f"polypythia {size} seed {seed}: non-finite loss before step {s}")
            rows.append({
                "run": f"pythia-{size}-seed{seed}",
                "N": n_total,
                "D": s * PYTHIA_TOKENS_PER_STEP,
                "loss": round(statistics.fmean(window), 6),
                "size": size,
                "seed": seed,
                "step": s,
                "loss_sd_in_window": round(statistics.pstdev(window), 6),
                "N_nonembedding": n_nonemb,
            })
    header = ["run", "N", "D", "loss", "size", "seed", "step", "loss_sd_in_window", "N_nonembedding"]
    write_csv("pythia-polypythia-train", header, rows)


# --- Porian et al. 2024 IsoFLOP grids --------------------------------------------------------------

PORIAN_VOCAB = 50432


def porian_shape(n):
    """(width, depth) with precise_param_count_open_lm(width, depth) == n (the repository's formula)."""
    for w in range(64, 4097, 32):
        d_ff = 256 * ((int(2 * 4 * w / 3) + 255) // 256)
        per_layer = (4 * w + 3 * d_ff) * w
        rest = n - PORIAN_VOCAB * w
        if rest > 0 and rest % per_layer == 0:
            return w, rest // per_layer, d_ff
    raise SystemExit(f"porian: no OpenLM shape gives {n} parameters")


def build_porian(src, which):
    import pandas as pd  # only this case needs it
    fname = {"refinedweb": "summary_df.pickle.xz", "owt2": "summary_df_owt2.pickle.xz"}[which]
    dataset = {"refinedweb": "rw", "owt2": "owt2"}[which]
    df = pd.read_pickle(os.path.join(src, SOURCES["porian"], fname))
    sel = df[(df.dataset == dataset) & (df.hparams == "base") & (df.warmup == "short")
             & (df.decay == "chinchilla") & (df.param_count == "standard") & (df.val == "val")]
    if len(sel) != 1:
        raise SystemExit(f"porian {which}: expected one cosine-decay configuration, found {len(sel)}")
    data = sel.iloc[0]["data"]
    rows = []
    for _, budget in data.iterrows():
        c = float(budget["flops"])
        for n, t, loss in zip(budget["orig_n"], budget["orig_t"], budget["orig_loss"]):
            n = int(n)
            w, depth, d_ff = porian_shape(n)
            rows.append({
                "N": n,
                "D": int(round(float(t))),
                "loss": float(loss),
                "C": c,
                "width": w,
                "depth": depth,
                "N_nonembedding": n - PORIAN_VOCAB * w,
                "tokens_per_param": round(float(t) / n, 4),
            })
    header = ["N", "D", "loss", "C", "width", "depth", "N_nonembedding", "tokens_per_param"]
    write_csv(f"porian-{which}-cosine", header, rows)


# --- Cerebras-GPT, and the Pythia suites that Cerebras evaluated on the Pile test set ---------------

def cerebras_table(readme):
    """0-shot table of the modelzoo README: {(family, size): (training FLOPs, Pile test xent)}."""
    out, family, in_table = {}, None, False
    for line in readme.splitlines():
        if line.startswith("#### 0-shot Evaluation"):
            in_table = True
            continue
        if in_table and line.startswith("####"):
            break
        if not in_table or not line.startswith("|") or "---" in line or "Count" in line:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0]:
            family = cells[0]
        size, flops, xent = cells[1], cells[2], cells[3]
        if xent in ("\\-", "-", ""):
            continue
        out[(family, size)] = (float(flops), float(xent))
    return out


def cerebras_training(readme):
    """Training table of the modelzoo README: {size: (batch size, steps, tokens as printed)}."""
    out = {}
    for line in readme.splitlines():
        m = re.match(r"^(\d+(?:\.\d+)?[MB])\s*\|\s*2048\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*([0-9.E+]+)\s*\|", line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)), float(m.group(4)))
    return out


def yaml_int(text, key):
    m = re.search(rf"^\s*{key}:\s*(\d+)", text, re.M)
    if not m:
        raise SystemExit(f"cerebras: no {key} in config")
    return int(m.group(1))


def gpt3_params(d, layers, ffn, vocab, positions):
    """GPT-2/3 block with biases and LayerNorms, tied input/output embedding, learned positions."""
    per_layer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d
    return layers * per_layer + 2 * d + vocab * d + positions * d, vocab * d + positions * d


CEREBRAS_CONFIGS = {"111M": "111m", "256M": "256m", "590M": "590m", "1.3B": "1p3b", "2.7B": "2p7b",
                    "6.7B": "6p7b", "13B": "13b_bs720"}
# Pythia totals and non-embedding counts (GPT-NeoX, untied embeddings; examples/published-models.csv)
PYTHIA_N = {"70M": (70426624, 18915328), "160M": (162322944, 85056000), "410M": (405334016, 302311424),
            "1B": (1011781632, 805736448), "1.4B": (1414647808, 1208602624), "2.8B": (2775208960, 2517652480),
            "6.9B": (6857302016, 6444163072), "12B": (11846072320, 11327027200)}
PYTHIA_TOKENS = 143000 * PYTHIA_TOKENS_PER_STEP  # 299,892,736,000


def build_cerebras(src):
    base = os.path.join(src, SOURCES["cerebras"])
    with open(os.path.join(base, "README.md")) as f:
        readme = f.read()
    table = cerebras_table(readme)
    training = cerebras_training(readme)
    rows = []
    for size, cfg in CEREBRAS_CONFIGS.items():
        with open(os.path.join(base, cfg + ".yaml")) as f:
            y = f.read()
        n, emb = gpt3_params(yaml_int(y, "hidden_size"), yaml_int(y, "num_hidden_layers"),
                             yaml_int(y, "filter_size"), yaml_int(y, "vocab_size"),
                             yaml_int(y, "max_position_embeddings"))
        batch, steps, tokens_printed = training[size]
        d = steps * batch * 2048
        if abs(d / tokens_printed - 1) > 0.01:
            raise SystemExit(f"cerebras {size}: steps x batch x 2048 = {d} disagrees with printed {tokens_printed}")
        flops, xent = table[("Cerebras", size)]
        rows.append({"run": f"Cerebras-GPT-{size}", "N": n, "D": d, "loss": xent, "size": size,
                     "batch_size_seqs": batch, "steps": steps, "tokens_printed": tokens_printed,
                     "flops_reported": flops, "N_nonembedding": n - emb})
    header = ["run", "N", "D", "loss", "size", "batch_size_seqs", "steps", "tokens_printed",
              "flops_reported", "N_nonembedding"]
    write_csv("cerebras-gpt-pile", header, rows)

    for family, case in [("Pythia", "pythia-pile-test"), ("Pythia deduped", "pythia-deduped-pile-test")]:
        rows = []
        for size, (n, n_nonemb) in PYTHIA_N.items():
            flops, xent = table[(family, size)]
            rows.append({"run": f"pythia-{size.lower()}{'-deduped' if 'deduped' in family else ''}", "N": n,
                         "D": PYTHIA_TOKENS, "loss": xent, "size": size, "flops_reported": flops,
                         "N_nonembedding": n_nonemb})
        write_csv(case, ["run", "N", "D", "loss", "size", "flops_reported", "N_nonembedding"], rows)


# --- Gemstones (McLeish et al. 2025): cooled-down checkpoints ----------------------------------------

GEMSTONES_VOCAB = 50304


def build_gemstones(src):
    with open(os.path.join(src, SOURCES["gemstones"])) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    rows = []
    for r in sorted(recs, key=lambda r: (r["params_active_precise"], r["width"], r["step"])):
        step = int(r["step"])
        tokens = int(r["tokens"])
        if tokens != step * 2048 * 2048:
            raise SystemExit(f"gemstones {r['run_name']}: tokens {tokens} != step x 2048 x 2048")
        w = int(r["width"])
        n = int(r["params_active_precise"])
        rows.append({
            "run": f"Gemstone-{w}x{int(r['depth'])}-cooldown-to-{step}",
            "N": n,
            "D": tokens,
            "loss": float(r["final_loss"]),
            "model": f"Gemstone-{w}x{int(r['depth'])}",
            "width": w,
            "depth": int(r["depth"]),
            "step": step,
            "N_no_input_embedding": n - GEMSTONES_VOCAB * w,
            "N_nonembedding": n - 2 * GEMSTONES_VOCAB * w,
        })
    header = ["run", "N", "D", "loss", "model", "width", "depth", "step", "N_no_input_embedding",
              "N_nonembedding"]
    write_csv("gemstones-cooldown", header, rows)


BUILDERS = {
    "olmo-ladder-c4": build_olmo,
    "pythia-polypythia-train": build_polypythia,
    "porian-refinedweb-cosine": lambda s: build_porian(s, "refinedweb"),
    "porian-owt2-cosine": lambda s: build_porian(s, "owt2"),
    "cerebras-gpt-pile": build_cerebras,  # also writes the two Pythia cases
    "gemstones-cooldown": build_gemstones,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", required=True, help="folder holding the sources as named in SOURCES")
    ap.add_argument("--only", nargs="*", choices=sorted(BUILDERS), help="rebuild only these cases")
    args = ap.parse_args()
    for case_id, build in BUILDERS.items():
        if args.only and case_id not in args.only:
            continue
        build(args.sources)


if __name__ == "__main__":
    sys.exit(main())
