import { useEffect, useRef, useState } from 'react';
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { Spec } from '../../../src/plots/specs.js';
import { downloadText, downloadUrl } from '../lib/download.js';

interface Props {
  kind: string;
  caption: string;
  spec: Spec;
  /** File name without extension for exports. */
  filename: string;
}

/**
 * One Vega-Lite figure. Expressions are interpreted (vega-interpreter), not compiled with
 * `new Function`, so the page runs under a Content-Security-Policy without 'unsafe-eval'.
 */
export function VegaFigure({ kind, caption, spec, filename }: Props) {
  const description = typeof spec.description === 'string' ? spec.description : caption;
  const descriptionId = `figure-${kind}-description`;
  const container = useRef<HTMLDivElement>(null);
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    let embedded: Result | undefined;
    setError(undefined);
    // Draw after the next paint, each figure in its own task: the numbers of a new fit show at once
    // and the page stays responsive while the figures follow.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(draw, 0)));
    function draw() {
      embed(container.current!, spec as VisualizationSpec, {
        actions: false,
        renderer: 'svg',
        ast: true,
        expr: expressionInterpreter,
        tooltip: { theme: 'light' },
        // The figure is one image with its own name and description (below): Vega's per-mark ARIA
        // attributes would only repeat, mark by mark, what that says.
        config: { aria: false },
      }).then(
        (r) => {
          if (cancelled) return r.finalize();
          // The wrapper is the image (role, name, description); the SVG's own marks stay out of the
          // accessibility tree rather than each announce itself.
          container.current?.querySelector('svg')?.setAttribute('aria-hidden', 'true');
          embedded = r;
          setResult(r);
        },
        (e: Error) => !cancelled && setError(e.message),
      );
    }
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      embedded?.finalize();
      setResult(undefined);
    };
  }, [spec]);

  const exportSvg = async () => {
    if (result) downloadText(await result.view.toSVG(), `${filename}.svg`, 'image/svg+xml');
  };
  const exportPng = async () => {
    if (result) downloadUrl(await result.view.toImageURL('png', 2), `${filename}.png`);
  };

  return (
    <figure className="figure" data-testid={`figure-${kind}`} data-ready={result ? 'true' : 'false'}>
      <figcaption>
        <span>{caption}</span>
        <span className="figure-actions">
          <button type="button" disabled={!result} data-testid={`export-${kind}-svg`} onClick={() => void exportSvg()}>
            SVG
          </button>
          <button type="button" disabled={!result} data-testid={`export-${kind}-png`} onClick={() => void exportPng()}>
            PNG
          </button>
        </span>
      </figcaption>
      {error && <p className="inline-error">Could not draw this figure: {error}</p>}
      {/* One image with a name and a text summary for screen readers; drag to pan, wheel to zoom. */}
      {/* Vega sets ARIA attributes of its own on the element it draws into: that is the inner one. */}
      <div
        className="figure-body"
        role="img"
        tabIndex={0}
        aria-label={caption}
        aria-describedby={descriptionId}
        data-testid={`image-${kind}`}
      >
        <div ref={container} />
      </div>
      <p id={descriptionId} className="visually-hidden">
        {description} Drag to pan, scroll to zoom, double-click to reset.
      </p>
    </figure>
  );
}
