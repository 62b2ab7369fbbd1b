/**
 * The web app's pure helpers, in Node: advice in the app's words, the planner's number reading, the
 * state in the URL, a study's default runs, and the check that runs are an IsoFLOP sweep.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRuns } from '../src/io/parseRuns.js';
import { webAdvice, optionAdvice } from '../web/src/lib/advice.js';
import { plannerNumber, PlannerInputError } from '../web/src/lib/plannerNumbers.js';
import { readUrlState, writeUrlState } from '../web/src/lib/urlState.js';
import { defaultShapeInputs } from '../web/src/lib/shapeInputs.js';
import {
  fittedRuns,
  groupChoices,
  noGroup,
  groupFlag,
  runGroups,
  studyDefaultGroups,
  toggleGroup,
} from '../web/src/lib/runGroups.js';
import { columnStepReason, fileColumns, guessColumns, missingFields } from '../web/src/lib/columns.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../web/src/lib/errors.js';
import { fileText } from '../web/src/lib/upload.js';
import { readText } from '../src/io/readRuns.js';
import { isoflopUnsupported } from '../web/src/worker/support.js';
import { defaultSettings } from '../web/src/worker/protocol.js';
import { defaultPlannerInputs, planFor, whyNoPlan, type PlanState } from '../web/src/hooks/usePlan.js';
import { defaultAcceleratorId } from '../src/hardware/catalog.js';
import { autoFitToJson } from '../src/fit/summary.js';
import { chooseProcedure } from '../src/fit/auto.js';
import { getLaw, lawChoiceFromJson } from '../src/laws/index.js';
import { computeOptimal } from '../src/analyses/computeOptimal.js';
import { root } from './helpers/cli.js';
import { runSelection } from '../src/cli/options.js';

test("advice: the library's command-line hints in the web app's words, whether a message names a flag or an option", () => {
  const cases: [string, RegExp][] = [
    [
      'law chinchilla needs column "N" (parameters); the data have: a, b; map one with --columns N=NAME',
      /choose which column is N in the upload's column step$/,
    ],
    [
      'Approaches 2 and 3: a = 0.5 vs 0.4; no intervals to compare (run with --bootstrap N)',
      /\(choose "Bootstrap replicates" in the Fit settings\)$/,
    ],
    [
      'are they one experiment (filter with --group)?',
      /"Runs to fit" in the Fit settings, or a study.s groups in the run store/,
    ],
    [
      'the frontier needs two or more (±0.06 decades; set --budgets or --tolerance)',
      /an IsoFLOP sweep has runs at a few fixed compute budgets/,
    ],
    ['the fit may be unstable; try --init grid', /try another "Procedure" in the Fit settings$/],
    ['use --procedure huber instead', /^use procedure huber \("Procedure" in the Fit settings\) instead$/],
    // As the library writes it now (an option's name, not a flag).
    [
      'mine.csv:1: missing column "loss"; map one with option "columns" loss=NAME',
      /choose which column is loss in the upload's column step$/,
    ],
    // In parentheses, as Approach 1's skip says it: the words stay apart from the sentence before.
    [
      'the file has no run column (map one with option "columns" run=NAME)',
      /^the file has no run column \(choose which column is run in the upload's column step\)$/,
    ],
    ['B = 4 (option "inferenceTokens") exceeds the budget', /"Inference tokens" in the planner/],
    // A one-letter option (N) is its flag as it is, and the downstream panel's words for it (it read "---n").
    [
      'run "x" has no N (parameters): expected N for every ladder run (a column N, config.model_num_parameters in an lm-eval results file, a ladder manifest\'s "N", or option "N" when importing)',
      /every ladder run \(a column N, config\.model_num_parameters in an lm-eval results file or a ladder manifest's "N": the panel reads N from the files only\)$/,
    ],
    [
      'Approaches 2 and 3: a = 0.5 vs 0.4; no intervals to compare (fit with bootstrap replicates)',
      /\(choose "Bootstrap replicates" in the Fit settings\)$/,
    ],
  ];
  for (const [message, expected] of cases) {
    const out = webAdvice(message);
    assert.match(out, expected, out);
    assert.doesNotMatch(out, /--[a-z]/, out);
  }
  assert.equal(
    webAdvice('--no-such-flag stays'),
    '--no-such-flag stays',
    'an option the app has no control for is left as it is',
  );
  // Bundled data and a study's runs have no column step: their advice is one they can follow.
  const lawNeedsU =
    'law data-constrained needs column "U" (unique tokens); the data have: N, D, loss; map one with option "columns" U=NAME';
  assert.match(webAdvice(lawNeedsU, 'upload'), /choose which column is U in the upload's column step$/);
  for (const [origin, who] of [
    ['bundled', 'this bundled data set has'],
    ['study', "the study's runs have"],
  ] as const) {
    const out = webAdvice(lawNeedsU, origin);
    assert.match(
      out,
      new RegExp(`; ${who} no U column: choose another law in the Fit settings, or upload a file with a U column$`),
      out,
    );
    const skip = webAdvice('the file has no run column (map one with option "columns" run=NAME)', origin);
    assert.match(
      skip,
      new RegExp(`\\(${who} no run column: upload a file of training curves with a run column\\)$`),
      skip,
    );
    for (const m of [out, skip]) assert.doesNotMatch(m, /column step|--[a-z]/, m);
  }
  assert.equal(optionAdvice('bootstrap'), 'Change "Bootstrap replicates" in the Fit settings.');
  assert.equal(optionAdvice('--gpus'), 'Change "GPUs" in the planner.');
  assert.equal(optionAdvice(undefined), undefined);
});

test('planner numbers: "10,000", "40%", "2T"; a half-typed "1e" and a wrong value get the field\'s own example', () => {
  assert.equal(plannerNumber('gpus', '10,000'), 10_000);
  assert.equal(plannerNumber('gpus', '1_024'), 1024);
  assert.equal(plannerNumber('mfu', '40%'), 0.4);
  assert.equal(plannerNumber('mfu', '0.4'), 0.4);
  assert.equal(plannerNumber('inferenceTokens', '2T'), 2e12);
  assert.equal(plannerNumber('flops', '3.8e25'), 3.8e25);
  const message = (field: Parameters<typeof plannerNumber>[0], text: string) => {
    try {
      plannerNumber(field, text);
    } catch (e) {
      assert.ok(e instanceof PlannerInputError && e.field === field);
      return e.message;
    }
    assert.fail(`${text} was read`);
  };
  assert.match(message('flops', '1e'), /^Training FLOPs: "1e" is not finished .*such as 1e24 or 3\.8e25$/);
  assert.match(
    message('gpus', '1.5'),
    /^GPUs: "1\.5" is not a whole number; expected a whole number of GPUs such as 1024 or 10,000$/,
  );
  assert.match(message('mfu', '40'), /^MFU: "40" is more than the whole peak .* such as 0\.4 or 40%$/);
  assert.match(message('days', 'soon'), /^Days: cannot read "soon"/);
  assert.match(message('gpus', '1,5'), /cannot read "1,5"/, 'a comma only between groups of three digits');
  for (const f of ['gpus', 'days', 'mfu', 'flops', 'inferenceTokens'] as const)
    assert.doesNotMatch(message(f, 'x'), /param/i, `${f}: no example about parameter counts`);
});

test('URL state: only what differs from the defaults, read back the same; unknown values ignored', () => {
  const state = {
    data: { kind: 'study' as const, name: 'my study' },
    settings: { ...defaultSettings, procedure: 'ls', target: 1e25, group: ['isoflop', 'scale-up'] },
    planner: { ...defaultPlannerInputs, gpus: '10,000', inferenceTokens: '2T' },
    shape: { ...defaultShapeInputs, N: '7B', mlp: 'plain' as const, tied: true },
  };
  const search = writeUrlState(state);
  assert.equal(
    search,
    '?study=my+study&procedure=ls&target=1e%2B25&group=isoflop,scale-up&plan.gpus=10%2C000&plan.inferenceTokens=2T&shape.N=7B&shape.mlp=plain&shape.tied=true',
  );
  assert.deepEqual(readUrlState(search), state);
  // A link written when the store browser held a study's groups (`groups=`) opens with them chosen.
  assert.deepEqual(readUrlState('?study=my+study&groups=isoflop%2Cscale-up').settings.group, ['isoflop', 'scale-up']);
  assert.equal(
    writeUrlState({ settings: defaultSettings, planner: defaultPlannerInputs, shape: defaultShapeInputs }),
    '',
  );
  assert.deepEqual(readUrlState('?dataset=chinchilla').data, { kind: 'bundled', id: 'chinchilla' });
  // An upload by its name only (its data stay in the tab's storage).
  const upload = {
    data: { kind: 'upload' as const, name: 'my runs.csv' },
    settings: defaultSettings,
    planner: defaultPlannerInputs,
    shape: defaultShapeInputs,
  };
  assert.equal(writeUrlState(upload), '?upload=my+runs.csv');
  assert.deepEqual(readUrlState('?upload=my+runs.csv').data, upload.data);
  const odd = readUrlState('?procedure=nope&law=nope&bootstrap=-3&plan.mode=other&shape.mlp=moe&shape.count=all');
  assert.deepEqual(odd.settings, defaultSettings);
  assert.equal(odd.planner.mode, 'hardware');
  assert.deepEqual(odd.shape, defaultShapeInputs);
});

test('a study is fitted by default as study run fits it: its IsoFLOP (and scale-up) runs when it has other groups; otherwise whole', () => {
  const text =
    'N,D,loss,group\n1e7,1e9,3,lr-probe\n1e7,2e9,2.9,isoflop\n2e7,1e9,2.8,isoflop\n3e7,1e9,2.7,scale-up\n1e9,2e10,2.1,verify\n';
  const dataset = parseRuns(text, { source: 's.csv' });
  assert.deepEqual(runGroups(dataset), [
    { group: 'lr-probe', runs: 1 },
    { group: 'isoflop', runs: 2 },
    { group: 'scale-up', runs: 1 },
    { group: 'verify', runs: 1 },
  ]);
  assert.deepEqual(studyDefaultGroups(dataset), ['isoflop', 'scale-up']);
  const study = { dataset, label: 'study s', origin: 'study' as const, key: 's' };
  const chosen = fittedRuns(study, studyDefaultGroups(dataset)).loaded!;
  assert.equal(chosen.dataset.runs.length, 3);
  assert.equal(chosen.label, 'study s, groups isoflop, scale-up');
  // Without phases, or with the fitted phases only, there is nothing to leave out: every run.
  const plain = parseRuns('N,D,loss\n1e7,1e9,3\n2e7,1e9,2.8\n', { source: 'p.csv' });
  assert.deepEqual(studyDefaultGroups(plain), []);
  const sweep = parseRuns('N,D,loss,group\n1e7,1e9,3,isoflop\n2e7,1e9,2.8,scale-up\n', { source: 'q.csv' });
  assert.deepEqual(studyDefaultGroups(sweep), []);
});

test("the Fit settings' group choice: offered for two or more groups, all pooled by default, one fitted as fit --group fits it, kept in the URL", () => {
  const text = readFileSync(join(root, 'test/fixtures/mixed-study-export.csv'), 'utf8');
  const dataset = parseRuns(text, { source: 'export.csv' });
  const upload = { dataset, label: 'export.csv', origin: 'upload' as const, key: 'export.csv' };
  assert.deepEqual(groupChoices(upload), [
    { group: 'lr-probe', runs: 9 },
    { group: 'isoflop', runs: 15 },
    { group: 'verify', runs: 1 },
  ]);
  // One group alone is no choice.
  const one = parseRuns('N,D,loss,group\n1e7,1e9,3,a\n2e7,1e9,2.8,a\n', { source: 'one.csv' });
  assert.deepEqual(groupChoices({ ...upload, dataset: one }), []);
  // The default is the data as opened, every group pooled (fit's pooled-variants warning says so).
  assert.deepEqual(defaultSettings.group, []);
  assert.equal(fittedRuns(upload, []).loaded, upload);
  // A group chosen is what `fit FILE --group isoflop` reads: the same rows and the same selection note.
  const chosen = fittedRuns(upload, ['isoflop']).loaded!;
  const cli = parseRuns(text, { source: 'export.csv', groups: ['isoflop'] });
  assert.deepEqual(chosen.dataset.runs, cli.runs);
  assert.equal(chosen.dataset.selection, 'group isoflop: 15 of 25 rows');
  assert.equal(chosen.label, 'export.csv, group isoflop');
  // A group the data lack (a link's, for other data) is an error naming the groups there are, not an empty fit.
  const missing = fittedRuns(upload, ['scale-up']);
  assert.equal(missing.loaded, undefined);
  assert.match(
    missing.error!.message,
    /no runs in group "scale-up"; the data's groups are "lr-probe", "isoflop", "verify"/,
  );
  // Kept in the URL like the other settings, and read back.
  const state = {
    data: { kind: 'upload' as const, name: 'export.csv' },
    settings: { ...defaultSettings, group: ['isoflop'] },
    planner: defaultPlannerInputs,
    shape: defaultShapeInputs,
  };
  assert.equal(writeUrlState(state), '?upload=export.csv&group=isoflop');
  assert.deepEqual(readUrlState('?upload=export.csv&group=isoflop'), state);
});

test("runs with no group beside one named group (imported into a study beside its sweep): a box of their own, '(no group)' as --group names them; a study fits its IsoFLOP runs by default, as study run does; every box can be unticked but the last, and each choice reads the rows the CLI's --group reads", () => {
  const text =
    'N,D,loss,group\n1e7,1e9,3,isoflop\n2e7,1e9,2.8,isoflop\n3e7,1e9,2.7,isoflop\n5e7,1e9,2.6,\n8e7,1e9,2.5,\n';
  const dataset = parseRuns(text, { source: 'study.csv' });
  const study = { dataset, label: 'study s', origin: 'study' as const, key: 's' };
  assert.deepEqual(groupChoices(study), [
    { group: 'isoflop', runs: 3 },
    { group: noGroup, runs: 2 },
  ]);
  // Opened from the store: the IsoFLOP runs, the rows `fit --group isoflop` reads of the study's export.
  assert.deepEqual(studyDefaultGroups(dataset), ['isoflop']);
  const chosen = fittedRuns(study, studyDefaultGroups(dataset)).loaded!;
  assert.deepEqual(chosen.dataset.runs, parseRuns(text, { source: 'study.csv', groups: ['isoflop'] }).runs);
  // The CLI names the rows with no group '(no group)' (a blank name is still dropped, and a list of blanks refused).
  assert.throws(() => runSelection({ group: ',' }), /--group: expected one or more group names/);
  // A blank name (--group '', as one might try for the runs with no group) says what names them.
  assert.throws(
    () => runSelection({ group: '' }),
    /--group: expected one or more group names separated by commas \(the runs whose group cell is blank are '\(no group\)'\)/,
  );
  assert.deepEqual(runSelection({ group: '(no group)' }).groups, ['', noGroup]);
  assert.deepEqual(runSelection({ group: ' isoflop , (no group) ' }).groups, ['isoflop', '', noGroup]);
  const names = groupChoices(study).map((g) => g.group);
  // Their box unticked: the IsoFLOP runs; the IsoFLOP box unticked instead: the rows with no group alone.
  assert.deepEqual(toggleGroup(names, [], noGroup, false), ['isoflop']);
  assert.deepEqual(toggleGroup(names, [], 'isoflop', false), [noGroup]);
  assert.deepEqual(toggleGroup(names, [noGroup], 'isoflop', true), []);
  assert.deepEqual(toggleGroup(names, ['isoflop'], noGroup, true), []);
  // Each choice fits the rows the CLI reads with the same --group, with the same note.
  for (const [groups, flag] of [
    [[noGroup], '(no group)'],
    [['isoflop', noGroup], 'isoflop,(no group)'],
  ] as const) {
    const web = fittedRuns(study, groups).loaded!.dataset;
    const cli = parseRuns(text, { source: 'study.csv', ...runSelection({ group: flag }) });
    assert.deepEqual(web.runs, cli.runs, flag);
    assert.equal(web.selection, cli.selection);
  }
  assert.equal(fittedRuns(study, [noGroup]).loaded!.dataset.selection, 'group (no group): 2 of 5 rows');
  assert.equal(groupFlag([noGroup]), "--group '(no group)'");
  assert.equal(groupFlag(['isoflop', 'scale-up']), '--group isoflop,scale-up');
  // Ticking every named box leaves the rows with no group out until their own box is ticked.
  const three = ['isoflop', 'lr-probe', noGroup];
  assert.deepEqual(toggleGroup(three, [], 'lr-probe', false), ['isoflop', noGroup]);
  assert.deepEqual(toggleGroup(three, ['isoflop'], 'lr-probe', true), ['isoflop', 'lr-probe']);
  assert.deepEqual(toggleGroup(three, ['isoflop', 'lr-probe'], noGroup, true), []);
  assert.deepEqual(toggleGroup(three, ['lr-probe', noGroup], noGroup, false), ['lr-probe']);
  // A file whose rows all have a group: '(no group)' selects nothing, said with the groups there are.
  assert.throws(
    () => parseRuns('N,D,loss,group\n1e7,1e9,3,isoflop\n', { source: 'g.csv', groups: [''] }),
    /no runs in group \(no group\); the data's groups are "isoflop"/,
  );
});

test('a group cell that says "(no group)" is in the box of the runs with no group: the web and --group \'(no group)\' select both it and the blank rows, and a message names it once', () => {
  // Before, --group '(no group)' read only the blank rows: the box counted 4 rows and fitted 2, and a file
  // whose only unnamed rows said "(no group)" was told "no runs in group (no group)" while listing it.
  const text =
    'N,D,loss,group\n1e7,1e9,3,isoflop\n2e7,1e9,2.8,isoflop\n3e7,1e9,2.7,(no group)\n5e7,1e9,2.6,\n8e7,1e9,2.5,(no group)\n';
  const upload = { dataset: parseRuns(text, { source: 'g.csv' }), label: 'g.csv', origin: 'upload' as const, key: 'g' };
  assert.deepEqual(groupChoices(upload), [
    { group: 'isoflop', runs: 2 },
    { group: noGroup, runs: 3 },
  ]);
  for (const [groups, flag, note] of [
    [[noGroup], '(no group)', 'group (no group): 3 of 5 rows'],
    [['isoflop', noGroup], 'isoflop,(no group)', 'group isoflop or (no group): 5 of 5 rows'],
  ] as const) {
    const web = fittedRuns(upload, groups).loaded!.dataset;
    const cli = parseRuns(text, { source: 'g.csv', ...runSelection({ group: flag }) });
    assert.deepEqual(web.runs, cli.runs, flag);
    assert.equal(cli.selection, note);
    assert.equal(web.selection, note);
  }
  const onlyLiteral = 'N,D,loss,group\n1e7,1e9,3,isoflop\n3e7,1e9,2.7,(no group)\n';
  assert.equal(parseRuns(onlyLiteral, { source: 'l.csv', ...runSelection({ group: '(no group)' }) }).runs.length, 1);
  assert.throws(
    () => parseRuns('N,D,loss,group\n1e7,1e9,3,(no group)\n2e7,1e9,3,\n', { source: 'n.csv', groups: ['isoflop'] }),
    /no runs in group "isoflop"; the data's groups are \(no group\)$/,
  );
});

test("several groups: pooled as fit --group a,b reads them, every box ticked is no choice, and the URL's list keeps a name with a comma", () => {
  const text = readFileSync(join(root, 'test/fixtures/mixed-study-export.csv'), 'utf8');
  const dataset = parseRuns(text, { source: 'export.csv' });
  const upload = { dataset, label: 'export.csv', origin: 'upload' as const, key: 'export.csv' };
  const two = fittedRuns(upload, ['lr-probe', 'isoflop']).loaded!;
  const cli = parseRuns(text, { source: 'export.csv', groups: ['lr-probe', 'isoflop'] });
  assert.deepEqual(two.dataset.runs, cli.runs);
  assert.equal(two.dataset.selection, 'group lr-probe or isoflop: 24 of 25 rows');
  assert.equal(two.label, 'export.csv, groups lr-probe, isoflop');
  // The boxes: unticking one of all leaves the others chosen, in the data's order; ticking it back is no choice.
  const names = ['lr-probe', 'isoflop', 'verify'];
  assert.deepEqual(toggleGroup(names, [], 'lr-probe', false), ['isoflop', 'verify']);
  assert.deepEqual(toggleGroup(names, ['verify', 'isoflop'], 'lr-probe', true), []);
  assert.deepEqual(toggleGroup(names, ['verify'], 'lr-probe', true), ['lr-probe', 'verify']);
  // A name the data lack stays listed after theirs until unticked.
  assert.deepEqual(toggleGroup(names, ['gone'], 'isoflop', true), ['isoflop', 'gone']);
  assert.deepEqual(toggleGroup(names, ['isoflop', 'gone'], 'gone', false), ['isoflop']);
  // In the URL as the CLI writes the list, each name encoded on its own: "a,b" is one name, a and b two.
  const state = {
    data: { kind: 'bundled' as const, id: 'sweep' },
    settings: { ...defaultSettings, group: ['isoflop', 'lr 1e-3, warm', 'a&b=c'] },
    planner: defaultPlannerInputs,
    shape: defaultShapeInputs,
  };
  const search = writeUrlState(state);
  assert.equal(search, '?dataset=sweep&group=isoflop,lr%201e-3%2C%20warm,a%26b%3Dc');
  assert.deepEqual(readUrlState(search), state);
  assert.deepEqual(readUrlState('?dataset=sweep&group=a,b').settings.group, ['a', 'b']);
  assert.deepEqual(readUrlState('?dataset=sweep&group=lr+1e-3%2C+warm').settings.group, ['lr 1e-3, warm']);
});

test("the column step reads a file's columns and guesses the ones it knows", () => {
  assert.deepEqual(fileColumns('size,toks,final\n1,2,3\n', 'a.csv'), ['size', 'toks', 'final']);
  assert.deepEqual(fileColumns('[{"params": 1, "tokens": 2, "x": 3}]', 'a.json'), ['params', 'tokens', 'x']);
  assert.deepEqual(guessColumns(['params', 'tokens', 'final_loss', 'other']), {
    N: 'params',
    D: 'tokens',
    loss: 'final_loss',
  });
  assert.match(
    missingFields(parseRuns('C,loss\n1e18,3\n', { source: 'c.csv' })) ?? '',
    /no column was recognised as N or D/,
  );
  assert.equal(
    missingFields(parseRuns('N,C,loss\n1e8,1e18,3\n', { source: 'c.csv' })),
    undefined,
    'D derived from C and N',
  );
});

test("the column step's guess is what the parser reads: the earlier name of two for one field, W&B's _step only without another step", () => {
  const header = ['tokens_seen', 'tokens', '_step', 'global_step', 'Model Size', 'eval/loss'];
  const row = ['1e9', '2e9', '3', '300', '1e8', '3.1'];
  const parsed = parseRuns(`${header.join(',')}\n${row.join(',')}\n`, { source: 'w.csv' }).columns;
  const guess = guessColumns(header);
  assert.deepEqual(guess, { N: 'Model Size', D: 'tokens', loss: 'eval/loss', step: 'global_step' });
  for (const [field, column] of Object.entries(guess))
    assert.equal(parsed[field as keyof typeof parsed], column, `${field}: the step offers what fit reads`);
});

test("an IsoFLOP sweep is recognised (CS336, Chinchilla's profiles); runs spread at random are not", () => {
  const read = (f: string) => parseRuns(readFileSync(join(root, f), 'utf8'), { source: f });
  assert.equal(isoflopUnsupported(read('examples/cs336-isoflops.json')), undefined);
  assert.equal(isoflopUnsupported(read('examples/chinchilla.csv')), undefined);
  let s = 3;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (const n of [40, 100]) {
    const rows = ['N,D,loss'];
    for (let i = 0; i < n; i++) rows.push(`${10 ** (7 + 2 * random())},${10 ** (8 + 2 * random())},${2 + random()}`);
    assert.match(
      isoflopUnsupported(parseRuns(rows.join('\n'), { source: 'r.csv' })) ?? '',
      /^these runs are not an IsoFLOP sweep: .*IsoFLOP profiles need runs at a few fixed budgets/,
      `${n} random runs`,
    );
  }
  assert.match(isoflopUnsupported(parseRuns('C,loss\n1e18,3\n1e19,2.5\n', { source: 'c.csv' })) ?? '', /need N and C/);
});

test('why there is no plan, said by the planner and the optimiser panel at its budget: with a data set open, the reason (its runs, its fit, the law, a planner field) and where to fix it, never "open a data set"', () => {
  const noFit: PlanState = { unavailable: 'Open a data set: the planner uses the current fit.' };
  assert.equal(whyNoPlan(noFit, {}), 'Open a data set: the planner uses the current fit.');
  const opened = { opened: 'Chinchilla' };
  const field = (() => {
    try {
      plannerNumber('gpus', 'abc');
    } catch (e) {
      if (e instanceof PlannerInputError) return { error: e.message, field: e.field };
    }
    assert.fail('"abc" GPUs read');
  })();
  const cases: [PlanState, Parameters<typeof whyNoPlan>[1], RegExp][] = [
    [noFit, { ...opened, fitting: 'Chinchilla' }, /^Fitting Chinchilla — the plan appears when the fit is done\.$/],
    [noFit, { ...opened, failed: 'Chinchilla' }, /^No plan: the fit of Chinchilla failed \(its error is above\)\.$/],
    [
      noFit,
      { ...opened, runsError: true },
      /^No plan: the runs chosen under "Runs to fit" in the Fit settings cannot be fitted/,
    ],
    [noFit, opened, /^No plan: Chinchilla has no fit yet\.$/],
    [field, opened, /^No plan until the planner's "GPUs" can be read: GPUs: .*expected a whole number of GPUs/],
    [{ error: 'compute 1e10 FLOPs is below the data' }, opened, /^No plan: compute 1e10 FLOPs is below the data$/],
    [
      { unavailable: 'Law kaplan-c does not split compute between parameters and tokens: choose chinchilla to plan.' },
      opened,
      /^Law kaplan-c does not split compute/,
    ],
  ];
  for (const [state, data, expected] of cases) {
    const why = whyNoPlan(state, data) ?? '';
    assert.match(why, expected);
    assert.doesNotMatch(why, /open a data set/i);
  }
  // A plan (a stale one too: the planner marks it) is a budget: no reason.
  const plan = { compute: 1e23 } as NonNullable<PlanState['plan']>;
  assert.equal(whyNoPlan({ plan }, opened), undefined);
  assert.equal(whyNoPlan({ plan, stale: true, ...field }, opened), undefined);
});

test("the web planner's N and D from an auto fit: the reported law's optimum, said with the other candidates', as plan says it", () => {
  const data = parseRuns(readFileSync(join(root, 'examples/cs336-isoflops.json'), 'utf8'), {
    source: 'cs336-isoflops.json',
  });
  const json = autoFitToJson(chooseProcedure(data));
  const plan = planFor(json, { ...defaultPlannerInputs, mode: 'flops', flops: '1e23' });
  const r = plan.recommendation;
  assert.equal(r.allocationRule, 'reported');
  const law = getLaw(lawChoiceFromJson(json));
  assert.ok(Math.abs(r.N / computeOptimal(law, json.params, 1e23).N - 1) < 1e-9);
  assert.match(r.allocationSource, /the reported law \(huber\) alone, not the 3 candidates' average/);
  assert.match(r.allocationSource, /tied-huber [\d.e+]+, gadre [\d.e+]+$/);
  // Beside the reported law's loss, a new run's as plan --fit gives it: the candidates' equal-weight mean in ln L.
  const run = r.forRun!;
  assert.deepEqual(
    run.members.map((m) => m.id),
    ['huber', 'tied-huber', 'gadre'],
  );
  const mean = Math.exp(run.members.reduce((a, m) => a + Math.log(m.value), 0) / 3);
  assert.ok(Math.abs(run.loss / mean - 1) < 1e-12, `${run.loss} vs ${mean}`);
  assert.equal(run.members[0].value, r.loss, "huber's own prediction is the plan's loss");
  assert.equal(run.interval, undefined, 'no replicates, no interval');
});

test('the web planner warns that a split the fit does not identify is not a finding, as plan --fit does', () => {
  // Truth: α = 0.34, β = 0.28 (Hoffmann et al. 2022). Five sizes on one budget: the reported law is
  // reduced to α = β. Five sizes at 20 tokens per parameter, three noisy runs each: one ratio.
  const loss = (N: number, D: number) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28;
  const oneBudget = [2e7, 4e7, 8e7, 1.6e8, 3.2e8].map((N) => `${N},${1e19 / (6 * N)},${loss(N, 1e19 / (6 * N))}`);
  let k = 0;
  const oneRatio = [1.25e8, 3.5e8, 7.6e8, 1.3e9, 2.7e9].flatMap((N) =>
    [0, 1, 2].map(() => `${N},${20 * N},${loss(N, 20 * N) * (1 + 0.004 * Math.sin(7.31 * ++k))}`),
  );
  const planOf = (rows: string[]) =>
    planFor(autoFitToJson(chooseProcedure(parseRuns(['N,D,loss', ...rows].join('\n'), { source: 'runs.csv' }))), {
      ...defaultPlannerInputs,
      mode: 'flops',
      flops: '1e23',
    });
  const tied = planOf(oneBudget).warnings.find((w) => w.code === 'reduced-law');
  assert.match(
    tied?.message ?? '',
    /are not identified by the fit's data: the fit's reported law was reduced to α = β/,
  );
  const ratio = planOf(oneRatio).warnings.find((w) => w.code === 'one-ratio');
  assert.match(
    ratio?.message ?? '',
    /are not identified by the fit's data: every run of the fit has one tokens-per-parameter ratio/,
  );
});

test('the web planner marks a cluster input left at its default and says where it comes from, as plan does a defaulted --gpu or --mfu', () => {
  const data = parseRuns(readFileSync(join(root, 'examples/cs336-isoflops.json'), 'utf8'), {
    source: 'cs336-isoflops.json',
  });
  const json = autoFitToJson(chooseProcedure(data));
  // The planner's GPU type is the CLI's one default (plan, sweep plan), not a planner-only choice.
  assert.equal(defaultPlannerInputs.gpu, defaultAcceleratorId);
  const defaults = planFor(json, defaultPlannerInputs);
  assert.match(defaults.assumptions.find((a) => a.startsWith('1024 × ')) ?? '', /^1024 × NVIDIA B200/);
  assert.match(defaults.assumed?.mfu ?? '', /^the default MFU: Llama 3 405B .*Dubey et al\. 2024.*§3\.3$/);
  assert.match(defaults.assumed?.accelerator ?? '', /default GPU type/);
  // The assumptions carry the sources beside the numbers, as plan's text does.
  const cluster = defaults.assumptions.find((a) => a.startsWith('1024 × '));
  assert.match(cluster ?? '', /\(the planner's default GPU type.*MFU 0\.4 \(the default MFU: Llama 3 405B/);
  // Chosen inputs are not marked: another GPU, and an MFU typed in.
  const chosen = planFor(json, { ...defaultPlannerInputs, gpu: 'a100', mfu: '45%' });
  assert.equal(chosen.assumed, undefined);
  assert.doesNotMatch(chosen.assumptions.join('\n'), /default/);
  // A budget in FLOPs has no cluster to mark.
  assert.equal(planFor(json, { ...defaultPlannerInputs, mode: 'flops' }).assumed, undefined);
});

test("a located upload error says what to do next in the page's words: fix the line and upload again, or the column step", () => {
  const caught = (text: string, name: string, columns?: Record<string, string>): ErrorInfo => {
    try {
      parseRuns(text, { source: name, ...(columns ? { columns } : {}) });
    } catch (e) {
      return toErrorInfo(e);
    }
    throw new Error(`${name} parsed`);
  };
  const again = { again: 'upload the file again' };
  // A bad value: the message says what was expected at line 3; the next step, to fix it there.
  const bad = caught('N,D,loss\n1e8,2e9,3.1\n2e8,4e9,abc\n', 'bad.csv');
  assert.equal(withNextStep(bad, again).next, 'Fix line 3 of bad.csv and upload the file again.');
  // A column not recognised: the column step opened below says it, or the header is fixed.
  const missing = caught('x,y,z\n1,2,3\n', 'odd.csv');
  assert.equal(
    withNextStep(missing, { ...again, columnStep: 'below' }).next,
    'The column step is below: choose the columns there and "Open with these columns"; or rename them in line 1 of odd.csv and upload the file again.',
  );
  // The column step's own error: the column chosen may be the wrong one.
  const mapped = caught('N,D,loss,note\n1e8,2e9,3.1,a\n', 'm.csv', { loss: 'note' });
  assert.equal(
    withNextStep(mapped, { ...again, columnStep: 'here' }).next,
    'If "note" is not the column you meant, choose another above and "Open with these columns" again; otherwise fix line 2 of m.csv and upload the file again.',
  );
  // Nothing in a file to fix (not read, or no line), or a control to change that the message names: no next step.
  assert.equal(withNextStep({ name: 'InputError', message: 'huge.csv is too large' }, again).next, undefined);
  assert.equal(withNextStep({ ...bad, location: { file: 'bad.csv' } }, again).next, undefined);
  assert.equal(
    withNextStep({ ...bad, message: 'lm.json:1:1: no checkpoint: expected the tokens seen (option "tokens")' }, again)
      .next,
    undefined,
  );
});

test("the upload's column step opens for a missing column and for a refused eval/loss beside a train/loss, not for other bad values", () => {
  const reasonFor = (text: string, name: string) => {
    try {
      parseRuns(text, { source: name });
    } catch (e) {
      return columnStepReason(e);
    }
    assert.fail('expected an error');
  };
  // A W&B export: eval/loss (every k-th row) is read before train/loss, and its empty cell refused.
  const wandb = reasonFor('Name,params,tokens,train/loss,eval/loss\nr1,1e8,2e9,4.1,\nr1,1e8,4e9,3.9,3.95\n', 'w.csv');
  assert.match(
    wandb ?? '',
    /^Its loss column could not be read: .*the file also has "train\/loss": to read "train\/loss" instead, map loss to it below$/,
  );
  assert.doesNotMatch(wandb ?? '', /option "columns"/);
  assert.match(
    reasonFor('params,tokens\n1e8,2e9\n', 'm.csv') ?? '',
    /^Its columns were not all recognised: missing column "loss"/,
  );
  // A word in the one loss column: mapping cannot fix it, so the message alone is said.
  assert.equal(reasonFor('params,tokens,loss\n1e8,2e9,abc\n', 'b.csv'), undefined);
});

test("a panel that reads its own file says its own controls: no column step, and its fields' names, not the Fit settings'", () => {
  const message =
    'archs.csv: compare along N needs an N column: map one with option "columns" N=NAME, or compare along option "x" C';
  const panel = {
    columns: (field: string) => `give the file a column named ${field}`,
    controls: { x: '"along" in the Compare groups panel' },
  };
  const said = webAdvice(message, 'upload', panel);
  assert.match(said, /give the file a column named N/);
  assert.match(said, /"along" in the Compare groups panel/);
  assert.doesNotMatch(said, /column step|Procedure|Variable/);
  // Without the panel's words, the page's own (the column step, the Fit settings' "Variable").
  assert.match(webAdvice(message, 'upload'), /upload's column step.*"Variable"/);
});

test('an upload saved as Latin-1 or Windows-1252 is refused at its first bad byte, as the command line refuses it (not read with U+FFFD, which made café and cafè one name)', async () => {
  // "café" in Latin-1: 0xE9 alone is not UTF-8.
  const latin1 = Uint8Array.from(Buffer.from('run,N,D,loss\na,1e8,2e9,3.1\ncaf\xe9,2e8,4e9,2.9\n', 'latin1'));
  const expected =
    /^w\.csv:3:4: byte 30 \(0xE9\) is not UTF-8 text: the file was saved in another encoding \(Latin-1 or Windows-1252, as "é"\?\)/;
  let web = '';
  await assert.rejects(fileText(new Blob([latin1]), 'w.csv'), (e: Error) => ((web = e.message), expected.test(web)));
  // The same message the command line gives for the same bytes.
  const path = join(mkdtempSync(join(tmpdir(), 'scalelab-weblib-')), 'w.csv');
  writeFileSync(path, latin1);
  assert.throws(
    () => readText(path, 'runs'),
    (e: Error) => e.message === `${path}${web.slice('w.csv'.length)}`,
  );
  // UTF-8 text, a U+FFFD written as such included, is read as it is.
  assert.equal(await fileText(new Blob(['run,loss\ncaf\u00e9 \uFFFD,3\n']), 'u.csv'), 'run,loss\ncaf\u00e9 \uFFFD,3\n');
});
