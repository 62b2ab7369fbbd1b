/**
 * The shape panel's question and answer: a parameter target (and the search's style) as typed, and the
 * shapes `scalelab shape --N` proposes for it with the published models nearest it. Pure, so it also
 * runs in Node.
 */
import { shapeSearch, type ShapeCandidate, type ShapeSearchOptions } from '../../../src/model/shapeSearch.js';
import { nearestPublished, type CatalogModel, type NearbyModel } from '../../../src/catalog/models.js';
import { parseSuffixedNumber, suffixHint } from '../../../src/core/quantity.js';

/** The shape search's inputs as typed (kept by the app, and in the URL). */
export interface ShapeInputs {
  N: string;
  count: 'total' | 'nonEmbedding';
  mlp: 'gated' | 'plain';
  vocab: string;
  seqLen: string;
  gqa: string;
  headsMultiple: string;
  tied: boolean;
}

/** `scalelab shape`'s defaults (and no target). */
export const defaultShapeInputs: ShapeInputs = {
  N: '',
  count: 'total',
  mlp: 'gated',
  vocab: '32000',
  seqLen: '4096',
  gqa: '1',
  headsMultiple: '1',
  tied: false,
};

/** `scalelab shape`'s preferred aspect ratio d_model/n_layer (--aspect); its tolerance (5 %) and limit (5) are the search's defaults too. */
export const aspect = 100;

/** A whole number of at least 1 as typed, or why it is not one. */
function wholeNumber(text: string, label: string): { value?: number; problem?: string } {
  const value = Number(text.trim().replace(/[,_]/g, ''));
  return Number.isInteger(value) && value >= 1
    ? { value }
    : { problem: `${label}: expected a whole number of at least 1, got "${text.trim()}"` };
}

export type ShapeProposal =
  | { target: number; candidates: ShapeCandidate[]; nearest: NearbyModel[]; problems?: undefined }
  | { problems: string[]; target?: undefined; candidates?: undefined; nearest?: undefined };

/**
 * The shapes for the typed target, as `scalelab shape --N` searches them, with the 3 published models
 * nearest it; what cannot be read (or has no shape) as problems; undefined with no target typed.
 */
export function proposeShapes(inputs: ShapeInputs, catalog: CatalogModel[]): ShapeProposal | undefined {
  const t = inputs.N.trim();
  if (t === '') return undefined;
  const target = parseSuffixedNumber(t);
  if (!(target > 0)) {
    const hint = suffixHint(t);
    return { problems: [`parameters: expected a number such as 7e9 or 7B${hint ? ` (${hint})` : ''}, got "${t}"`] };
  }
  const numbers = {
    vocab: wholeNumber(inputs.vocab, 'vocabulary'),
    seqLen: wholeNumber(inputs.seqLen, 'context'),
    gqa: wholeNumber(inputs.gqa, 'query heads per KV head'),
    headsMultiple: wholeNumber(inputs.headsMultiple, 'heads a multiple of'),
  };
  const problems = Object.values(numbers).flatMap((n) => (n.problem ? [n.problem] : []));
  if (problems.length) return { problems };
  const options: ShapeSearchOptions = {
    count: inputs.count,
    mlp: inputs.mlp,
    vocab: numbers.vocab.value,
    seqLen: numbers.seqLen.value,
    gqa: numbers.gqa.value,
    headsMultipleOf: numbers.headsMultiple.value,
    tiedEmbeddings: inputs.tied,
    aspect,
  };
  try {
    const candidates = shapeSearch(target, options);
    return { target, candidates, nearest: nearestPublished(catalog, target, candidates[0].aspectRatio) };
  } catch (e) {
    // A size typed without its suffix (7 for 7B) is below every shape: said as the slip it likely is.
    const slip = target < 1e4 && /^\d+(\.\d+)?$/.test(t) ? ` (did you mean ${t}B or ${t}M? sizes take a suffix)` : '';
    return { problems: [`${(e as Error).message}${slip}`] };
  }
}
