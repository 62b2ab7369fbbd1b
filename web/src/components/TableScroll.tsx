import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** Whether a box's content is wider (or taller) than the box: then it scrolls. */
const overflows = (box: HTMLElement) => box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;

/**
 * The box a wide table scrolls sideways in on a narrow screen (a phone): always a named region, so a screen
 * reader says what it holds, and a tab stop only while its table overflows it, so a keyboard can reach it and
 * scroll it (axe: scrollable-region-focusable) without a stop at every table that fits (5 of the main view's
 * tab stops were such boxes). Its size and its table's are watched (ResizeObserver): turning a phone, or a
 * table growing a column, moves the stop. Every result table sits in one: styles.css lets a table in this box
 * keep its table layout.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  // Measured before the first paint, so a table that overflows is a tab stop from the start; then the box and
  // what it holds are watched, observed afresh when the children change (a table can be replaced by another).
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    setScrolls(overflows(box));
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setScrolls(overflows(box)));
    observer.observe(box);
    for (const child of box.children) observer.observe(child);
    return () => observer.disconnect();
  }, [children]);
  return (
    <div ref={ref} className="table-scroll" role="region" aria-label={label} tabIndex={scrolls ? 0 : undefined}>
      {children}
    </div>
  );
}
