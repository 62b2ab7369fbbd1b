/**
 * A self-contained SVG of training curves: observed losses as points, predicted curves as lines
 * with their interval as a band. Pure (a string out), so the CLI writes it and a report embeds it.
 */

export interface CurveSeries {
  name: string;
  steps: number[];
  loss: number[];
  /** Drawn as points (observed) rather than a line (predicted). */
  observed?: boolean;
  band?: [number, number][];
  color: string;
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Axis ticks: about five round values spanning [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const step0 = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * The title in lines that fit `width` (broken after a comma): an SVG text does not wrap, and a long
 * schedule's description ran off the figure's edge. About 9 pixels a character, bold at 14 px.
 */
function titleLines(title: string, width: number): string[] {
  const most = Math.max(20, Math.floor((width - 16) / 9));
  const lines: string[] = [];
  for (const part of title.split(/(?<=,) /)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + part.length <= most) lines[last] += ` ${part}`;
    else lines.push(part);
  }
  return lines;
}

export function curveFigure(title: string, series: CurveSeries[], { width = 720, height = 420 } = {}): string {
  const heading = titleLines(title, width);
  const m = { l: 60, r: 180, t: 36 + 18 * (heading.length - 1), b: 44 };
  const xs = series.flatMap((s) => s.steps);
  const ys = series.flatMap((s) => [...s.loss, ...(s.band ?? []).flat()]).filter(Number.isFinite);
  const x1 = Math.max(...xs),
    x0 = 0;
  // The y range covers every plotted loss and band, the first steps' too: a range cut to the later
  // steps drew the early, steep part pinned flat along the top edge, a curve the data do not have.
  const y0 = Math.min(...ys),
    y1 = Math.max(...ys);
  const X = (v: number) => m.l + ((v - x0) / (x1 - x0 || 1)) * (width - m.l - m.r);
  const Y = (v: number) => m.t + (1 - (v - y0) / (y1 - y0 || 1)) * (height - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...heading.map(
      (line, i) => `<text x="8" y="${20 + 18 * i}" font-size="14" font-weight="bold">${escape(line)}</text>`,
    ),
  ];
  for (const t of ticks(x0, x1))
    parts.push(
      `<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${height - m.b}" stroke="#eee"/><text x="${X(t)}" y="${height - m.b + 16}" text-anchor="middle">${t}</text>`,
    );
  for (const t of ticks(y0, y1))
    parts.push(
      `<line x1="${m.l}" x2="${width - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eee"/><text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${t}</text>`,
    );
  parts.push(`<text x="${(m.l + width - m.r) / 2}" y="${height - 8}" text-anchor="middle">optimizer step</text>`);
  parts.push(
    `<text transform="translate(14 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">loss</text>`,
  );
  series.forEach((s, k) => {
    if (s.band) {
      const up = s.band.map(([, hi], i) => `${X(s.steps[i]).toFixed(1)},${Y(hi).toFixed(1)}`);
      const down = s.band.map(([lo], i) => `${X(s.steps[i]).toFixed(1)},${Y(lo).toFixed(1)}`).reverse();
      parts.push(
        `<polygon points="${[...up, ...down].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`,
      );
    }
    if (s.observed)
      for (let i = 0; i < s.steps.length; i++)
        parts.push(
          `<circle cx="${X(s.steps[i]).toFixed(1)}" cy="${Y(s.loss[i]).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
        );
    else
      parts.push(
        `<polyline points="${s.steps.map((v, i) => `${X(v).toFixed(1)},${Y(s.loss[i]).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`,
      );
    const ly = m.t + 10 + k * 18;
    parts.push(
      s.observed
        ? `<circle cx="${width - m.r + 16}" cy="${ly - 4}" r="3" fill="${s.color}"/>`
        : `<line x1="${width - m.r + 8}" x2="${width - m.r + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${width - m.r + 30}" y="${ly}">${escape(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
