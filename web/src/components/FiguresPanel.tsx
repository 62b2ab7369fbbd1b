import type { Spec } from '../../../src/plots/specs.js';
import type { FigureKind } from '../../../src/report/analysis.js';
import { fileStem } from '../lib/download.js';
import { VegaFigure } from './VegaFigure.js';

/**
 * Each figure kind's caption here, in the order shown, or null where another panel shows it. Every kind
 * is listed (a Record): a figure added to the analysis (src/report/analysis.ts) does not type-check
 * until it is given a caption here or a place elsewhere, so it is not left out of the app unnoticed.
 */
const captions: Record<FigureKind, string | null> = {
  loss: 'Loss and the fitted law',
  frontier: 'Compute-optimal frontier',
  isoflop: 'IsoFLOP profiles',
  residuals: 'Residuals',
  backtest: null, // BacktestPanel, run on demand
  landmarks: null, // LandmarksTable, in the planner
};
const order = (Object.entries(captions) as [FigureKind, string | null][]).flatMap(([kind, caption]) =>
  caption === null ? [] : [{ kind, caption }],
);

/** Every figure of the fit the data support, drawn with Vega (tooltips on each run), each exportable; the back-test's is in its panel. */
export function FiguresPanel({ figures, source }: { figures: Partial<Record<FigureKind, Spec>>; source: string }) {
  const stem = fileStem(source);
  return (
    <section className="panel" aria-labelledby="figures-heading">
      <h2 id="figures-heading">Figures</h2>
      <div className="figures">
        {order.map(({ kind, caption }) => {
          const spec = figures[kind];
          return spec ? (
            <VegaFigure key={kind} kind={kind} caption={caption} spec={spec} filename={`${stem}-${kind}`} />
          ) : null;
        })}
      </div>
    </section>
  );
}
