import type { Spec } from '../../../src/plots/specs.js';
import type { FigureKind } from '../../../src/report/analysis.js';
import { fileStem } from '../lib/download.js';
import { VegaFigure } from './VegaFigure.js';

const order: { kind: FigureKind; caption: string }[] = [
  { kind: 'loss', caption: 'Loss and the fitted law' },
  { kind: 'frontier', caption: 'Compute-optimal frontier' },
  { kind: 'isoflop', caption: 'IsoFLOP profiles' },
  { kind: 'residuals', caption: 'Residuals' },
];

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
