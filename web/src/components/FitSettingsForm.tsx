import { getLaw, lawDefinition, type LawOptionKey } from '../../../src/laws/index.js';
import { defaultAutoRule } from '../../../src/fit/auto.js';
import { procedures } from '../../../src/fit/procedures.js';
import {
  approachChoices,
  customProcedure,
  lawChoices,
  lossChoices,
  settingsLawChoice,
  type ApproachChoice,
  type FitSettings,
  type LawId,
  type LossChoice,
} from '../worker/protocol.js';
import { Field } from './Field.js';
import { sci } from '../../../src/plots/specs.js';
import { useAdvice } from '../hooks/useAdvice.js';
import { groupFlag, noGroup, toggleGroup } from '../lib/runGroups.js';

interface Props {
  settings: FitSettings;
  onChange: (settings: FitSettings) => void;
  /** Approaches the open data (or the law) cannot support, and why (from the last fit): not offered. */
  unsupported?: { approach: number; reason: string }[];
  /** The open data's groups (a group column's values) with their rows: a choice when there are two or more. */
  groups?: { group: string; runs: number }[];
}

const lossLabels: Record<LossChoice, string> = {
  huber: 'Huber on ln L (δ = 1e-3)',
  ls: 'least squares on ln L',
  asymmetric: 'asymmetric (over-predictions ×2)',
};

const approachLabels: Record<ApproachChoice, string> = {
  all: 'all three, side by side',
  '1': '1: envelope of training curves',
  '2': '2: IsoFLOP profiles',
  '3': '3: parametric fit',
};

/** Labels of the law options the settings hold (the registry says which options a law reads). */
const optionLabels: Record<LawOptionKey, string> = { x: 'Variable', breaks: 'Breaks' };

const bootstrapChoices = [0, 100, 200, 500];
const targetChoices = [1e22, 1e23, 1e24, 1e25, 1e26];

function procedureHint(id: string) {
  if (id === 'auto') {
    return `The equal-weight average of ${defaultAutoRule.candidates.join(', ')}, the published Chinchilla-form recipes (as scalelab fit does by default); a law the data cannot support is reduced, and the reduction said.`;
  }
  if (id === customProcedure) return 'Exactly the law, variable and loss chosen below.';
  const p = procedures.find((q) => q.id === id);
  return p ? `${p.title}. As in ${p.citation}.` : '';
}

/**
 * "Runs to fit": a box for each of the data's groups, as `fit --group a,b` takes a list. Every box
 * ticked (the default) is every row pooled, as `fit` without --group; the last box ticked cannot be
 * unticked (no rows is no fit). Rows with no group have a box too, "(no group)", ticked and unticked like
 * any other: `fit --group '(no group)'` names them. A chosen name the data lack (a link's, for other data)
 * is listed too, so that it can be unticked.
 */
function RunsToFit({
  groups,
  chosen,
  onChange,
}: {
  groups: { group: string; runs: number }[];
  chosen: string[];
  onChange: (groups: string[]) => void;
}) {
  const names = groups.map((g) => g.group);
  const listed = [...groups, ...chosen.filter((g) => !names.includes(g)).map((group) => ({ group, runs: 0 }))];
  const ticked = (g: string) => chosen.length === 0 || chosen.includes(g);
  const named = names.filter((g) => g !== noGroup);
  const tickedNow = chosen.length ? chosen : names;
  const only = tickedNow.length === 1 ? tickedNow[0] : undefined;
  const ungrouped = groups.find((g) => g.group === noGroup);
  const comma = chosen.filter((g) => g.includes(','));
  return (
    <fieldset className="run-groups" data-testid="setting-groups" aria-describedby="run-groups-hint">
      <legend>Runs to fit</legend>
      {listed.map((g) => (
        <label key={g.group}>
          <input
            type="checkbox"
            data-testid={`setting-group-${g.group}`}
            checked={ticked(g.group)}
            disabled={g.group === only}
            onChange={(e) => onChange(toggleGroup(names, chosen, g.group, e.target.checked))}
          />{' '}
          {g.group} {names.includes(g.group) ? `(${g.runs} ${g.runs === 1 ? 'row' : 'rows'})` : '(not in these data)'}
        </label>
      ))}
      <p className="hint" id="run-groups-hint" data-testid="setting-groups-hint">
        {chosen.length === 0
          ? `All ${named.length} ${named.length === 1 ? 'group' : 'groups'}${ungrouped ? ` and the ${ungrouped.runs} ${ungrouped.runs === 1 ? 'row' : 'rows'} with no group` : ''} fitted as one data set, as "scalelab fit" without --group (a study's export: its learning-rate probe beside its IsoFLOP runs); untick the ones to leave out.`
          : `The rows "scalelab fit ${groupFlag(chosen)}" reads${chosen.length === 1 ? '' : ', pooled as one data set'}.` +
            (comma.length
              ? ` (--group splits at commas: ${comma.map((g) => `"${g}"`).join(', ')} cannot be named there.)`
              : '')}
        {ungrouped && ` Rows with no group are "${noGroup}" to --group.`}
      </p>
    </fieldset>
  );
}

/** Procedure (or a custom law and loss), frontier approach, bootstrap and target: every change refits. */
export function FitSettingsForm({ settings, onChange, unsupported = [], groups = [] }: Props) {
  const advise = useAdvice();
  const why = (a: ApproachChoice) => unsupported.find((u) => String(u.approach) === a)?.reason;
  /** A reason's first clause, without its file location: the approaches table below says it in full. */
  const brief = (reason: string) =>
    advise(
      reason
        .replace(/^[^:]*:\d+(:\d+)?: /, '')
        .replace(/^Approach \d /, '')
        .split(/[:;]/)[0],
    );
  const chosenWhy = settings.approach === 'all' ? undefined : why(settings.approach);
  const set = <K extends keyof FitSettings>(key: K, value: FitSettings[K]) => onChange({ ...settings, [key]: value });
  const custom = settings.procedure === customProcedure;
  const law = getLaw(settingsLawChoice(settings));
  const options = Object.entries(lawDefinition(settings.law)?.options ?? {}) as [
    LawOptionKey,
    { description: string; values: readonly (string | number)[] },
  ][];

  return (
    <section className="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Fit</h2>
      {groups.length >= 2 && <RunsToFit groups={groups} chosen={settings.group} onChange={(g) => set('group', g)} />}
      <Field label="Procedure" hint={procedureHint(settings.procedure)}>
        <select
          data-testid="setting-procedure"
          value={settings.procedure}
          onChange={(e) => set('procedure', e.target.value)}
        >
          <option value="auto">auto (recommended)</option>
          {procedures.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id}: {p.title}
            </option>
          ))}
          <option value={customProcedure}>custom law and loss</option>
        </select>
      </Field>
      {custom && (
        <>
          <Field label="Law" hint={<span className="formula">{law.formula}</span>}>
            <select
              data-testid="setting-law"
              value={settings.law}
              onChange={(e) => set('law', e.target.value as LawId)}
            >
              {lawChoices.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </Field>
          {options.map(([key, option]) => (
            <Field key={key} label={optionLabels[key]} hint={option.description}>
              <select
                data-testid={`setting-${key}`}
                value={String(settings[key])}
                onChange={(e) =>
                  onChange({
                    ...settings,
                    [key]: typeof option.values[0] === 'number' ? Number(e.target.value) : e.target.value,
                  })
                }
              >
                {option.values.map((v) => (
                  <option key={v} value={String(v)}>
                    {v}
                  </option>
                ))}
              </select>
            </Field>
          ))}
          <Field label="Loss">
            <select
              data-testid="setting-loss"
              value={settings.loss}
              onChange={(e) => set('loss', e.target.value as LossChoice)}
            >
              {lossChoices.map((l) => (
                <option key={l} value={l}>
                  {lossLabels[l]}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
      <Field
        label="Frontier approach"
        hint={
          chosenWhy ? (
            <span data-testid="approach-unsupported">Not supported by these data: {brief(chosenWhy)}</span>
          ) : unsupported.length ? (
            <span data-testid="approach-unsupported">
              {unsupported.map((u) => `Approach ${u.approach} is not offered: ${brief(u.reason)}.`).join(' ')}
            </span>
          ) : undefined
        }
      >
        <select
          data-testid="setting-approach"
          value={settings.approach}
          onChange={(e) => set('approach', e.target.value as ApproachChoice)}
        >
          {approachChoices.map((a) => (
            <option key={a} value={a} disabled={a !== 'all' && a !== settings.approach && why(a) !== undefined}>
              {approachLabels[a]}
              {a !== 'all' && why(a) !== undefined ? ' (not supported by these data)' : ''}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Bootstrap replicates"
        hint="Intervals and bands (with auto, for each candidate of equal weight); more replicates take longer."
      >
        <select
          data-testid="setting-bootstrap"
          value={settings.bootstrap}
          onChange={(e) => set('bootstrap', Number(e.target.value))}
        >
          {bootstrapChoices.map((n) => (
            <option key={n} value={n}>
              {n === 0 ? 'none' : n}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Target compute (FLOPs)" hint="Figures and frontier predictions extend to it.">
        <select
          data-testid="setting-target"
          value={settings.target}
          onChange={(e) => set('target', Number(e.target.value))}
        >
          {targetChoices.map((c) => (
            <option key={c} value={c}>
              {sci(c)}
            </option>
          ))}
        </select>
      </Field>
    </section>
  );
}
