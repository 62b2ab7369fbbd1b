import { useMemo } from 'react';
import catalogCsv from '../../../examples/published-models.csv?raw';
import type { FitJson } from '../../../src/fit/summary.js';
import { parseCatalog, findModel, placeOnFrontier, defaultLandmarks } from '../../../src/catalog/models.js';
import { getLaw, lawChoiceFromJson } from '../../../src/laws/index.js';
import { canAllocate } from '../../../src/analyses/computeOptimal.js';
import { humanCount } from '../lib/format.js';
import { TableScroll } from './TableScroll.js';

/** Published models placed on the current fit's compute-optimal frontier (the bundled catalog). */
const catalog = parseCatalog(catalogCsv, 'examples/published-models.csv');

export function LandmarksTable({ fit }: { fit?: FitJson }) {
  const rows = useMemo(() => {
    if (!fit) return [];
    const law = getLaw(lawChoiceFromJson(fit));
    if (!canAllocate(law)) return [];
    return defaultLandmarks.map((id) => placeOnFrontier(findModel(catalog, id), law, fit.params));
  }, [fit]);
  if (rows.length === 0) return null;
  return (
    <div data-testid="landmarks">
      <h3>Published models on this frontier</h3>
      <p className="source" data-testid="landmarks-source">
        Each model&apos;s C = 6·N·D and N_opt(C) under the fit&apos;s {fit?.procedure?.id === 'auto' ? 'reported ' : ''}
        law ({fit?.procedure?.chosen ?? fit?.law}), as scalelab plan places them; N and tokens as published (the source
        column, from examples/published-models.csv).
      </p>
      <TableScroll label="Published models on this frontier">
        <table className="compact">
          <thead>
            <tr>
              <th>model</th>
              <th>source</th>
              <th>N</th>
              <th>tokens</th>
              <th>N / N_opt</th>
              <th>verdict</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} title={r.source}>
                <td>{r.name}</td>
                <td>{r.cite}</td>
                <td>{humanCount(r.N)}</td>
                <td>{humanCount(r.D)}</td>
                <td>{r.sizeRatio.toFixed(2)}</td>
                <td>{r.verdict}</td>
                <td>{r.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}
