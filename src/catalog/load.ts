/** The bundled catalog file (Node side). */
import { fileURLToPath } from 'node:url';
import { readText } from '../io/readRuns.js';
import { parseCatalog, type CatalogModel } from './models.js';

export const catalogPath = fileURLToPath(new URL('../../examples/published-models.csv', import.meta.url));

export function loadCatalog(): CatalogModel[] {
  return parseCatalog(readText(catalogPath, 'the catalog of published models (CSV)'), 'examples/published-models.csv');
}

/** Per-family sources and caveats of the catalog (shipped next to it). */
export const provenancePath = fileURLToPath(new URL('../../examples/published-models.PROVENANCE.md', import.meta.url));
