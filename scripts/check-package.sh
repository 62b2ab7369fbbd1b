#!/usr/bin/env bash
# The npm package as a user gets it: pack the tarball (`npm pack`, which builds), check what it holds,
# install it into an empty folder with no network, and from there run the README's first commands and
# a handful of others — the CLI, the servers, the library (`scalelab` and `scalelab/node`, with its
# types), and the README's library examples against the commands' numbers. Any failure fails the
# script (and CI, which runs it after `npm ci`).
#
#   bash scripts/check-package.sh        # about 3 minutes on 2 cores (most of it compiling SQLite)
#
# Offline: a tarball's dependencies would be resolved against the registry's package lists, which
# `npm ci` does not keep in the cache. So the empty project gets a lockfile made from ScaleLab's own
# package-lock.json (its production entries), and `npm ci --offline` takes every package from the
# cache by its integrity hash. Where a network namespace can be made (`unshare -n`, root or user
# namespaces) the install runs in one, so any attempt to reach the network fails it.
# KEEP=1 keeps the temporary folder for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/scalelab-package-XXXXXX")
app=$work/app
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "check-package: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
say() { echo "check-package: $*" >&2; }
# A failed step's stderr, when it was sent to $steplog (set around a block of steps), is shown with it;
# emptied once shown, so a subshell's failure and the `|| fail` after its block print it once.
steplog=
fail() {
  say "FAILED: $*"
  if [ -n "$steplog" ] && [ -s "$steplog" ]; then
    tail -n 40 "$steplog" >&2
    : >"$steplog"
  fi
  exit 1
}

# Run a command in the app folder; on failure print its output and stop.
run() {
  local log=$work/last.log
  say "\$ $*"
  if ! (cd "$app" && "$@") >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "$*"
  fi
}

# ---------------------------------------------------------------- pack
say "packing (npm pack builds the CLI and the web app)"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
[ -f "$work/$tarball" ] || fail "npm pack wrote no tarball"
tar -tzf "$work/$tarball" | sort >"$work/contents"
for f in LICENSE README.md package.json bin/scalelab.js bin/run-wrapper.mjs dist/cli/main.js dist/index.d.ts \
  dist/node/index.js dist/node/index.d.ts dist/node/fitWorker.js web/dist/index.html worlds/default.json \
  worlds/README.md examples/chinchilla.csv examples/trainers/train.py examples/trainers/prepare_data.py \
  examples/inputs/README.md examples/inputs/runs.csv examples/inputs/sweep.csv; do
  grep -qx "package/$f" "$work/contents" || fail "the tarball has no $f"
done
if grep -E '^package/(src|test|bench|scripts|node_modules|examples/trainers/data)/' "$work/contents" >&2; then
  fail "the tarball holds files a user does not need (above)"
fi
grep -q 'Copyright (c) 2026 the ScaleLab authors' <(tar -xzOf "$work/$tarball" package/LICENSE) || fail "LICENSE lacks the copyright line"
say "$tarball: $(wc -l <"$work/contents") files, $(du -k "$work/$tarball" | cut -f1) KiB"

# ---------------------------------------------------------------- install, offline
mkdir "$app"
node - "$root/package-lock.json" "$app" "$tarball" <<'EOF'
const [lockPath, app, tarball] = process.argv.slice(2);
const fs = require('node:fs');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const self = lock.packages[''];
const spec = `file:../${tarball}`;
const packages = {
  '': { name: 'app', dependencies: { scalelab: spec } },
  'node_modules/scalelab': { version: self.version, resolved: spec, license: self.license, dependencies: self.dependencies, bin: self.bin, engines: self.engines },
};
// What `npm install scalelab` would put beside it: every package ScaleLab needs at run time, at the versions CI tested.
for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev) packages[path] = entry;
fs.writeFileSync(`${app}/package.json`, JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { scalelab: spec } }, null, 2));
fs.writeFileSync(`${app}/package-lock.json`, JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
EOF
isolate=()
if unshare -n true 2>/dev/null; then isolate=(unshare -n)
elif unshare -rn true 2>/dev/null; then isolate=(unshare -rn)
else say "no network namespace here (unshare): installing with --offline only"
fi
say "installing $tarball into an empty folder, offline${isolate:+, with no network (${isolate[*]})}"
run "${isolate[@]}" npm ci --offline --no-audit --no-fund --loglevel=error

# ---------------------------------------------------------------- the README's commands, from the package
version=$(node -p "require('$root/package.json').version")
[ "$(cd "$app" && npx scalelab --version)" = "$version" ] || fail "scalelab --version is not $version"
pkg=node_modules/scalelab
run npx scalelab study run --backend sim --target-hours 48 --experiment-hours 12
grep -qi 'regret' "$work/last.log" || fail "study run printed no regret against the simulated world"
run npx scalelab fit $pkg/examples/chinchilla.csv
run npx scalelab lab optimum --budget-hours 48
run npx scalelab sweep plan --target-hours 48 --experiment-hours 12 --out plan.json
run npx scalelab plot loss $pkg/examples/chinchilla.csv --out loss.png --targets 1e24
run npx scalelab runs import $pkg/examples/chinchilla.csv --study chinchilla
run npx scalelab runs ls --studies
grep -q 'chinchilla' "$work/last.log" || fail "runs ls --studies does not list the imported study"
run npx scalelab bcrit $pkg/examples/inputs/curves.csv
run npx scalelab hparams --C 1e21 --sweep $pkg/examples/inputs/sweep.csv
run npx scalelab backtest $pkg/examples/inputs/runs.csv --by N --bootstrap 20
run npx scalelab downstream screen $pkg/examples/downstream/pythia/ladder.json
grep -q 'predictable' "$work/last.log" || fail "downstream screen gave no verdict on the bundled Pythia ladder"
run npx scalelab curve-law predict --curve-fit $pkg/examples/studies/moby-curves/fit-multi-power.json --observed $pkg/examples/studies/moby-curves/runs/d64-cosine-2x

# The servers: each must start and answer (the web app's page; the lab's budget).
serve() { # NAME URL-PATH HEADER ARGS...: start in the background, wait for its URL, fetch PATH
  local name=$1 path=$2 header=$3 url='' i
  shift 3
  say "\$ scalelab $* (in the background)"
  (cd "$app" && exec ./node_modules/.bin/scalelab "$@") >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for i in $(seq 600); do
    # (where it says so, stdout or stderr, differs between the two servers)
    url=$(cat "$work/$name.out" "$work/$name.err" | grep -o 'http://127\.0\.0\.1:[0-9]*' | head -n 1 || true)
    [ -n "$url" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/$name.err" >&2; fail "scalelab $* exited"; }
    sleep 0.1
  done
  [ -n "$url" ] || fail "scalelab $* did not say where it listens within 60 s"
  local key
  key=$(cat "$work/$name.out" "$work/$name.err" | grep -o 'API key: [0-9a-f]*' | cut -d' ' -f3 || true)
  node --input-type=module -e '
    const [url, header, key] = process.argv.slice(1);
    const r = await fetch(url, { headers: header && key ? { [header]: key } : {} });
    const body = await r.text();
    if (!r.ok) { console.error(`${url}: HTTP ${r.status}: ${body.slice(0, 200)}`); process.exit(1); }
    console.error(`${url}: HTTP ${r.status}, ${body.length} bytes`);
  ' "$url$path" "$header" "$key" || fail "scalelab $*: $url$path did not answer"
  kill "${pids[-1]}"
}
serve web / '' serve --port 0 --db "$app/.scalelab/runs.db"
serve lab /budget x-api-key lab serve --port 0 --budget-hours 12

# ---------------------------------------------------------------- the library, as another project uses it
cat >"$app/use.ts" <<'EOF'
import { fit, laws, lossPlot, type FitResult } from 'scalelab';
import { readRuns, fitParallel, renderSvg, RunStore, loadWorld, readBenchmark } from 'scalelab/node';

const runs = readRuns('node_modules/scalelab/examples/chinchilla.csv');
const quick: FitResult = fit(laws.chinchilla, runs);
// Hoffmann's 4,500-start grid on two worker threads: the workers' module must be in the package.
const grid = await fitParallel(laws.chinchilla, runs, { init: 'hoffmann' }, { threads: 2 });
for (const r of [quick, grid]) if (Math.abs(r.params.alpha / 0.34731 - 1) > 0.005) throw new Error(`alpha ${r.params.alpha}, expected 0.34731 (Epoch)`);
const svg: string = await renderSvg(lossPlot({ dataset: runs, law: grid.law, params: grid.params, target: 1e24 }));
if (!svg.startsWith('<svg')) throw new Error('renderSvg returned no SVG');
const store = RunStore.open(':memory:');
store.importDataset(runs, 'chinchilla');
if (store.runs({ study: 'chinchilla' }).length !== runs.runs.length) throw new Error('the store lost runs');
store.close();
if (loadWorld().law.E !== 1.85) throw new Error('the default world is not the README\'s');
if (readBenchmark().length < 12) throw new Error('the benchmark cases are missing');
console.log(`library: fit α = ${grid.params.alpha.toFixed(5)}, ${svg.length} bytes of SVG, ${runs.runs.length} runs stored`);
EOF
run node "$root/node_modules/typescript/bin/tsc" --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext \
  --skipLibCheck --typeRoots "$root/node_modules/@types" --types node use.ts
# The same program as plain JavaScript (type annotations removed by tsc, imports resolved by Node alone).
run node "$root/node_modules/typescript/bin/tsc" --target es2022 --module nodenext --moduleResolution nodenext \
  --skipLibCheck --typeRoots "$root/node_modules/@types" --types node --outDir out use.ts
run node out/use.js
# ---------------------------------------------------------------- the README's library examples
# Each worked example of the README's "Library" section (a ```ts block opening with "// 1." …) is
# compiled and run from the package; it must print what the ```text block under it says, and those
# numbers must be the commands' own (their --json), so the README drifts from neither.
node - "$root/README.md" "$app" <<'EOF'
const [readme, app] = process.argv.slice(2);
const fs = require('node:fs');
const text = fs.readFileSync(readme, 'utf8');
const section = text.slice(text.indexOf('\n## Library\n'), text.indexOf('\n## How it is built\n'));
const examples = [...section.matchAll(/```ts\n(\/\/ (\d+)\. [\s\S]*?)```\n\n```text\n([\s\S]*?)```/g)];
if (examples.length < 6) {
  console.error(`README "Library": ${examples.length} worked examples, expected 6`);
  process.exit(1);
}
fs.mkdirSync(`${app}/readme`, { recursive: true });
for (const [, code, n, output] of examples) {
  fs.writeFileSync(`${app}/readme/example-${n}.ts`, code);
  fs.writeFileSync(`${app}/readme/example-${n}.expected`, output);
}
EOF
examples=()
for f in "$app"/readme/example-*.ts; do examples+=("readme/$(basename "$f")"); done
# Example 6 reads a curve-law fit the command saved; examples 5 and 6 are compared with predict from it, below.
run npx scalelab curve-law fit $pkg/examples/studies/moby-curves/runs/d32-constant \
  $pkg/examples/studies/moby-curves/runs/d32-wsd-0.2 --from-step 500 --bootstrap 50 --out curve-fit.json
run node "$root/node_modules/typescript/bin/tsc" --strict --target es2022 --module nodenext --moduleResolution nodenext \
  --skipLibCheck --typeRoots "$root/node_modules/@types" --types node --outDir readme/out "${examples[@]}"
for expected in "$app"/readme/example-*.expected; do
  n=$(basename "$expected" .expected)
  say "\$ node readme/out/$n.js"
  # stdout alone: the examples' progress goes to stderr.
  (cd "$app" && node "readme/out/$n.js" 2>"$work/$n.err") >"$work/$n.out" || { cat "$work/$n.err" >&2; fail "$n exited"; }
  diff -u "$expected" "$work/$n.out" >&2 || fail "README library $n printed other than the README says (above)"
done
# The same numbers from the commands.
say "the commands behind the README's library examples, with --json"
# A subshell ignores `set -e` when its status is tested (`( … ) || fail`): each step says its own failure,
# its stderr kept in $steplog (the examples' progress goes there too), shown by fail.
steplog=$work/steps.err
(
  cd "$app"
  ex=node_modules/scalelab/examples
  npx scalelab fit $ex/chinchilla.csv --bootstrap 100 --out fit.json >/dev/null 2>"$steplog" ||
    fail "scalelab fit chinchilla.csv --bootstrap 100 --out fit.json"
  point=$(node -p 'const f = require("./fit.json"); `${10 * f.data.ranges.N[1]} ${10 * f.data.ranges.D[1]}`' 2>"$steplog") ||
    fail "reading the prediction point from fit.json"
  npx scalelab predict --fit fit.json --N "${point% *}" --D "${point#* }" --json >predict.json 2>"$steplog" ||
    fail "scalelab predict --fit fit.json --N ${point% *} --D ${point#* }"
  npx scalelab plan --gpus 1024 --gpu h100 --mfu 0.4 --days 30 --json >plan.json 2>"$steplog" ||
    fail "scalelab plan --gpus 1024 --gpu h100 --mfu 0.4 --days 30"
  npx scalelab backtest $ex/inputs/runs.csv --by N --bootstrap 20 --json >backtest.json 2>"$steplog" ||
    fail "scalelab backtest runs.csv --by N --bootstrap 20"
  npx scalelab downstream fit $ex/downstream/olmo-ladder/ladder.json --task hellaswag_val_5shot --json \
    >downstream.json 2>"$steplog" || fail "scalelab downstream fit ladder.json --task hellaswag_val_5shot"
  npx scalelab curve-law predict --curve-fit curve-fit.json --schedule cosine --steps 2000 --peak-lr 5.7e-3 \
    --warmup-steps 50 --json >curve.json 2>"$steplog" || fail "scalelab curve-law predict --curve-fit curve-fit.json"
) || fail "the commands behind the README's library examples"
steplog=
node - "$app" <<'EOF' || fail "the README's library examples disagree with the commands' --json (above)"
const app = process.argv[2];
const fs = require('node:fs');
const read = (f) => JSON.parse(fs.readFileSync(`${app}/${f}`, 'utf8'));
const printed = (n) => fs.readFileSync(`${app}/readme/example-${n}.expected`, 'utf8');
const f4 = (x) => x.toFixed(4);
const p = read('predict.json');
const plan = read('plan.json').recommendation;
const backtest = read('backtest.json');
const hellaswag = read('downstream.json')[0];
const curve = read('curve.json');
const expected = {
  1: [`loss ${f4(p.loss)}, 95 % [${f4(p.interval[0])}, ${f4(p.interval[1])}] (${p.replicates} replicates)`],
  2: [
    `N ${plan.N.toExponential(3)}, D ${plan.D.toExponential(3)}, loss ${f4(plan.loss)}`,
    `${plan.shape.shape.nLayer} layers, d_model ${plan.shape.shape.dModel}`,
  ],
  3: backtest.summaries.map(
    (s) =>
      `${s.procedure}: mean error ${(100 * s.meanAbsRelativeError).toFixed(2)} %, in 95 % ${(100 * s.coverage['0.95']).toFixed(0)} %`,
  ),
  4: hellaswag.targets.map((t) => `${t.label}: task loss ${f4(t.taskLoss)} → accuracy ${f4(t.accuracy)}`),
  5: [`step ${curve.final.step}: ${f4(curve.final.loss)}`],
  // The same prediction from the fit saved with its replicates, its interval the command's.
  6: [
    `step ${curve.final.step}: ${f4(curve.final.loss)}, 95 % [${f4(curve.final.interval[0])}, ${f4(curve.final.interval[1])}]`,
    `checkpoints to step ${curve.extrapolation.reach}: the interval widened by ${curve.extrapolation.slope} of the loss`,
  ],
};
let bad = 0;
for (const [n, lines] of Object.entries(expected))
  for (const line of lines)
    if (!printed(n).includes(line)) {
      console.error(`example ${n}: the command gives "${line}"; the README's example printed:\n${printed(n)}`);
      bad++;
    }
process.exit(bad ? 1 : 0);
EOF
say "the README's library examples print what it says, and the commands' --json agree"
say "ok: the tarball installs offline into an empty folder and its commands, servers and library work"
