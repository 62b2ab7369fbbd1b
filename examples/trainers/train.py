#!/usr/bin/env python3
"""A compact GPT trainer for ScaleLab's `local` (and `slurm`) backend: arguments in, JSONL metrics out.

One file a reader can follow top to bottom (in the spirit of nanoGPT): a character-level
decoder-only transformer (pre-LayerNorm, GELU MLP with d_ff = 4·d_model by default, learned positions, untied
output head), AdamW, a learning-rate schedule over the run's own token count (`--schedule`: linear warmup then
cosine decay to 10 %, the default; constant; linear decay; or warmup–stable–decay with `--decay-frac` and
`--decay-shape`), and evaluations on held-out text at `--n-evals` evenly spaced points. `--save-at` saves
checkpoints (model, optimizer, data order) and `--resume` starts a run from one: a WSD cooldown branch
is `--resume` from a constant-LR run's checkpoint with `--schedule wsd` whose stable phase reaches it. Runs on CPU (Debian's
python3-torch 1.13) and on current PyTorch with CUDA.

Protocol: every evaluation appends one JSON line to OUT/metrics.jsonl:
  {"tokens": tokens seen, "step": optimizer step, "train_loss": …, "val_loss": …,
   "wall_seconds": …, "params": all parameters, "params_nonembedding": all but the token and position
   embeddings and the output head (Kaplan et al.'s N, counted from the model), "lr": the peak-scaled
   learning rate of the step just taken, "schedule": the schedule as data (ScaleLab's Schedule JSON)}
Losses are nats per character. Exit status 0 on success; a non-finite loss exits with status 3.
Progress goes to stderr (a line at start, at every evaluation and at least every 30 s; --quiet: none),
so stdout and the metrics file hold only JSON lines; the last stderr line is a JSON summary.

  python3 train.py --layers 2 --d-model 64 --heads 2 --tokens 2e6 --batch-tokens 4096 --lr 3e-3 --out runs/a
"""
import argparse
import json
import math
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    # One line that says what to do, not a traceback (a new user's first run; a sweep shows this line as
    # each failed run's reason).
    sys.stderr.write(
        f"train.py: PyTorch is not installed for {sys.executable} ({e}): on Debian or Ubuntu "
        "`sudo apt-get install python3-torch libopenblas0-pthread`, elsewhere `pip install torch`\n"
    )
    sys.exit(1)

# ----------------------------------------------------------------------------- arguments
p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--layers", type=int, required=True)
p.add_argument("--d-model", type=int, required=True)
p.add_argument("--heads", type=int, default=0, help="attention heads (default d_model/32, at least 1)")
p.add_argument("--tokens", type=float, required=True, help="training tokens (characters)")
p.add_argument("--batch-tokens", type=float, default=4096, help="tokens per optimizer step")
p.add_argument("--d-ff", type=int, default=0, help="MLP hidden width (default 4·d_model)")
p.add_argument("--context", type=int, default=128)
p.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
p.add_argument("--parametrization", choices=["sp", "mup"], default="sp", help="sp (standard) or mup (maximal update, Yang et al. 2022)")
p.add_argument("--base-width", type=int, default=64, help="muP: the width the learning rate was tuned at")
p.add_argument("--base-head-dim", type=int, default=64, help="muP: the head size at the base width (attention logits scale as sqrt(base)/d_head, so the base model's attention is SP's 1/sqrt(d_head))")
p.add_argument("--warmup", type=float, default=0.05, help="warmup, as a fraction of the steps")
p.add_argument("--schedule", choices=["cosine", "constant", "linear", "wsd"], default="cosine",
               help="after warmup: cosine or linear decay to --min-lr-frac at the last step, constant, or wsd (stable, then decay over the last --decay-frac of the steps)")
p.add_argument("--decay-frac", type=float, default=0.2, help="wsd: the fraction of the steps spent decaying")
p.add_argument("--decay-shape", choices=["linear", "cosine", "sqrt"], default="linear", help="wsd: the decay's shape (sqrt: 1 - sqrt, Hägele et al. 2024)")
p.add_argument("--min-lr-frac", type=float, default=0.1, help="the learning rate at the last step, as a fraction of the peak (cosine, linear, wsd)")
p.add_argument("--save-at", default="", help="steps after which to save a checkpoint (comma-separated), to OUT/ckpt-STEP.pt")
p.add_argument("--resume", default="", help="a checkpoint saved with --save-at: continue from its step under this run's schedule (a cooldown branch); the schedule must agree with the checkpoint's up to that step")
p.add_argument("--weight-decay", type=float, default=0.1)
p.add_argument("--n-evals", type=int, default=10)
p.add_argument("--eval-tokens", type=float, default=65536, help="held-out tokens per evaluation")
p.add_argument("--seed", type=int, default=0)
p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "moby"))
p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1),
               help="CPU threads (default: $OMP_NUM_THREADS, which ScaleLab's local backend sets to cores / concurrency)")
p.add_argument("--out", required=True)
p.add_argument("--quiet", action="store_true", help="no progress lines on stderr (the final JSON summary is still printed)")
args = p.parse_args()

torch.manual_seed(args.seed)
torch.set_num_threads(max(1, args.threads))
os.makedirs(args.out, exist_ok=True)
device = torch.device(args.device)

# ----------------------------------------------------------------------------- data
if not os.path.exists(os.path.join(args.data, "train.txt")):
    sys.exit(f"train.py: no corpus in {args.data}; run examples/trainers/prepare_data.py first")
chars = json.load(open(os.path.join(args.data, "vocab.json"), encoding="utf-8"))["chars"]
index = {c: i for i, c in enumerate(chars)}


def encode(path):
    return torch.tensor([index[c] for c in open(path, encoding="utf-8").read()], dtype=torch.long)


train_data, val_data = encode(os.path.join(args.data, "train.txt")), encode(os.path.join(args.data, "val.txt"))
T = args.context
batch = max(1, round(args.batch_tokens / T))  # sequences per step
steps = max(1, round(args.tokens / (batch * T)))
generator = torch.Generator().manual_seed(args.seed)


def get_batch(data, n, g):
    ix = torch.randint(len(data) - T - 1, (n,), generator=g)
    x = torch.stack([data[i : i + T] for i in ix])
    y = torch.stack([data[i + 1 : i + T + 1] for i in ix])
    return x.to(device), y.to(device)


# ----------------------------------------------------------------------------- model
class Block(nn.Module):
    def __init__(self, d, h, d_ff, attention_scale):
        super().__init__()
        self.h, self.scale = h, attention_scale
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, d_ff), nn.Linear(d_ff, d)
        self.register_buffer("mask", torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, x):
        B, L, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (t.view(B, L, self.h, D // self.h).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * self.scale
        att = att.masked_fill(~self.mask[:L, :L], float("-inf")).softmax(dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, L, D))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    """With muP (width multiplier m = d/base), after microsoft/mup: hidden init std 0.02/√m and
    Adam LR ÷ m; the readout multiplied by 1/m (MuReadout) with its weights at the base init —
    zero-initialising them, mup's other option, cost ~0.3 nats in 60-step runs here, since nothing
    below the head learns until it moves; attention logits scaled by √(base head size)/d_head, so
    1/d_head in width with the base model attending exactly as under SP. At m = 1 muP is SP."""

    def __init__(self, vocab, d, d_ff, layers, h, mup, m, base_head_dim):
        super().__init__()
        head_dim = d // h
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(T, d)
        self.blocks = nn.ModuleList(Block(d, h, d_ff, (math.sqrt(base_head_dim) / head_dim) if mup else (1 / math.sqrt(head_dim))) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)
        self.readout = 1 / m if mup else 1.0
        for name, p in self.named_parameters():
            if p.dim() < 2:
                nn.init.zeros_(p) if name.endswith("bias") else None
            elif name.startswith(("head", "tok", "pos")):
                nn.init.normal_(p, std=0.02)
            else:
                nn.init.normal_(p, std=0.02 / math.sqrt(m) if mup else 0.02)

    def forward(self, idx, targets):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device))
        for b in self.blocks:
            x = b(x)
        logits = self.head(self.ln(x)) * self.readout
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


heads = args.heads or max(1, args.d_model // 32)
mup = args.parametrization == "mup"
width_multiplier = args.d_model / args.base_width
model = GPT(len(chars), args.d_model, args.d_ff or 4 * args.d_model, args.layers, heads, mup, width_multiplier, args.base_head_dim).to(device)
params = sum(p.numel() for p in model.parameters())
# Kaplan's N leaves out the vocabulary and position matrices: ≈ 12·n_layer·d² with d_ff = 4d, plus biases and norms.
params_nonembedding = sum(p.numel() for n, p in model.named_parameters() if not n.startswith(("tok", "pos", "head")))

# ----------------------------------------------------------------------------- optimizer and schedule
# Parameter groups: hidden matrices (LR ÷ m under muP, weight decay × m), embeddings and readout, the rest.
hidden = [p for n, p in model.named_parameters() if p.dim() >= 2 and n.startswith("blocks")]
outer = [p for n, p in model.named_parameters() if p.dim() >= 2 and not n.startswith("blocks")]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
lr_scale = 1 / width_multiplier if mup else 1.0
groups = [
    {"params": hidden, "weight_decay": args.weight_decay * (width_multiplier if mup else 1), "lr_scale": lr_scale},
    {"params": outer, "weight_decay": args.weight_decay, "lr_scale": 1.0},
    {"params": no_decay, "weight_decay": 0.0, "lr_scale": 1.0},
]
opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95))
warmup = max(1, int(args.warmup * steps))
decay_steps = max(1, round(args.decay_frac * steps)) if args.schedule == "wsd" else 0
# The schedule as data, in ScaleLab's Schedule JSON (src/core/schedule.ts computes the same LR at every step).
schedule = {"kind": args.schedule, "peakLr": args.lr, "steps": steps, "warmupSteps": warmup}
if args.schedule != "constant":
    schedule["minLrFrac"] = args.min_lr_frac
if args.schedule == "wsd":
    schedule.update(decaySteps=decay_steps, decayShape=args.decay_shape)


def lr_at(step):
    """The learning rate of optimizer step `step` (0-based): 1) linear warmup, 2) the schedule's shape."""
    if step < warmup:
        return args.lr * (step + 1) / warmup
    floor = args.min_lr_frac
    if args.schedule == "constant":
        return args.lr
    if args.schedule == "wsd":
        start = steps - decay_steps
        if step < start:
            return args.lr
        t = (step - start + 1) / decay_steps  # reaches 1 at the last step
        drop = {"linear": t, "cosine": 0.5 * (1 - math.cos(math.pi * t)), "sqrt": math.sqrt(t)}[args.decay_shape]
        return args.lr * (1 - (1 - floor) * drop)
    t = (step - warmup) / max(1, steps - warmup)
    if args.schedule == "linear":
        return args.lr * (1 - (1 - floor) * t)
    return args.lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t)))


@torch.no_grad()
def evaluate():
    model.eval()
    g = torch.Generator().manual_seed(1234)  # the same held-out batches at every evaluation
    n = max(1, round(args.eval_tokens / (T * 16)))
    loss = sum(model(*get_batch(val_data, 16, g)).item() for _ in range(n)) / n
    model.train()
    return loss


# ----------------------------------------------------------------------------- progress (stderr)
def say(text):
    if not args.quiet:
        print(f"train.py: {text}", file=sys.stderr, flush=True)


def duration(seconds):
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def progress(step, record=None):
    elapsed = time.time() - start
    left = elapsed / max(1, step - first_step) * (steps - step)
    losses = f", train {record['train_loss']:.4f}, val {record['val_loss']:.4f}" if record else ""
    say(f"step {step}/{steps} ({100 * step / steps:.0f} %), {step * batch * T:,} tokens{losses}, {duration(elapsed)}, ~{duration(left)} left")


# ----------------------------------------------------------------------------- training loop
eval_at = sorted({max(1, round(steps * k / args.n_evals)) for k in range(1, args.n_evals + 1)})
metrics = open(os.path.join(args.out, "metrics.jsonl"), "w")
start = time.time()
said = start
say(f"{args.layers} layers × {args.d_model}, {params_nonembedding:,} non-embedding parameters, {steps} steps of {batch * T:,} tokens, "
    f"{args.parametrization}, η = {args.lr:g}, on {device} ({torch.get_num_threads()} thread{'' if torch.get_num_threads() == 1 else 's'}); metrics in {os.path.join(args.out, 'metrics.jsonl')}")
recent = []
first_step = 0
save_at = {int(x) for x in args.save_at.split(",") if x.strip()}
if args.resume:
    # A cooldown branch: the model, optimizer and data order as they were after the checkpoint's step. Its
    # schedule must have given every earlier step the same learning rate, or the branch is not of that run.
    ckpt = torch.load(args.resume, map_location=device)
    first_step = ckpt["step"]
    mismatch = [s for s, lr in enumerate(ckpt["lrs"]) if abs(lr_at(s) - lr) > 1e-12 * max(1.0, abs(lr))]
    if first_step >= steps or mismatch:
        sys.exit(f"train.py: --resume {args.resume}: saved after step {first_step}; this run has {steps} steps"
                 + (f" and its schedule differs from the checkpoint's from step {mismatch[0]} (learning rate {lr_at(mismatch[0]):g}, checkpoint {ckpt['lrs'][mismatch[0]]:g})" if mismatch else ""))
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    generator.set_state(ckpt["generator"])
    recent = ckpt["recent"]
    for record in ckpt["metrics"]:  # the trunk's evaluations, so the branch's curve starts at step 0
        metrics.write(json.dumps({**record, "schedule": schedule}) + "\n")
    say(f"resumed from {args.resume} after step {first_step}")
history = ckpt["metrics"] if args.resume else []
for step in range(first_step, steps):
    for group in opt.param_groups:
        group["lr"] = lr_at(step) * group["lr_scale"]
    loss = model(*get_batch(train_data, batch, generator))
    if not math.isfinite(loss.item()):
        print(f"train.py: loss became {loss.item()} at step {step} (learning rate too high?)", file=sys.stderr)
        sys.exit(3)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    recent = (recent + [loss.item()])[-20:]
    if step + 1 in eval_at:
        record = {"tokens": (step + 1) * batch * T, "step": step + 1, "train_loss": sum(recent) / len(recent), "val_loss": evaluate(), "wall_seconds": time.time() - start, "params": params, "params_nonembedding": params_nonembedding, "lr": lr_at(step), "parametrization": args.parametrization}
        history.append(record)
        metrics.write(json.dumps({**record, "schedule": schedule}) + "\n")
        metrics.flush()
        if not math.isfinite(record["val_loss"]):
            sys.exit(3)
        progress(step + 1, record)
        said = time.time()
    elif time.time() - said >= 30:
        progress(step + 1)
        said = time.time()
    if step + 1 in save_at:
        path = os.path.join(args.out, f"ckpt-{step + 1}.pt")
        torch.save({"step": step + 1, "model": model.state_dict(), "optimizer": opt.state_dict(), "generator": generator.get_state(),
                    "recent": recent, "lrs": [lr_at(s) for s in range(step + 1)], "metrics": history}, path)
        say(f"checkpoint after step {step + 1} in {path}")
metrics.close()
print(json.dumps({"done": True, "steps": steps, "seconds": time.time() - start, "params": params, "device": str(device), "torch": torch.__version__}), file=sys.stderr)
