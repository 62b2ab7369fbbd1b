import type { ReactNode } from 'react';

/**
 * The box a wide table scrolls sideways in on a narrow screen (a phone): focusable and named, so a keyboard
 * can reach it and scroll it, and a screen reader says what it holds (axe: scrollable-region-focusable).
 * Every result table sits in one: styles.css lets a table in this box keep its table layout.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
