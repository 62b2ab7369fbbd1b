/** The bundled catalog file (Node side). */
import { packagePath } from '../io/packageRoot.js';
import { readText } from '../io/readRuns.js';
import { parseCatalog, type CatalogModel } from './models.js';

export const catalogPath = packagePath('examples', 'published-models.csv');

export function loadCatalog(): CatalogModel[] {
  return parseCatalog(readText(catalogPath, 'the catalog of published models (CSV)'), 'examples/published-models.csv');
}

/** Per-family sources and caveats of the catalog (shipped next to it). */
export const provenancePath = packagePath('examples', 'published-models.PROVENANCE.md');
