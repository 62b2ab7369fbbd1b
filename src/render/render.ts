/**
 * Render Vega-Lite specs to SVG with no DOM (vega's headless View) and to PNG with resvg.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { Spec } from '../plots/specs.js';

export async function renderSvg(spec: Spec): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function renderPng(spec: Spec, scale = 2): Promise<Buffer> {
  const svg = await renderSvg(spec);
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  })
    .render()
    .asPng();
}
