import type { ErrorInfo } from '../lib/errors.js';

/** An error, prominent, with where in the file it sits when that is known. */
export function ErrorBanner({ title, error }: { title: string; error: ErrorInfo }) {
  const loc = error.location;
  return (
    <section className="error-banner" role="alert" data-testid="error">
      <h2>{title}</h2>
      <p className="error-message" data-testid="error-message">
        {error.message}
      </p>
      {loc && (loc.line !== undefined || loc.columnName !== undefined) && (
        <p className="error-location" data-testid="error-location">
          In <strong>{loc.file}</strong>
          {loc.line !== undefined && <> at line <strong>{loc.line}</strong></>}
          {loc.column !== undefined && <>, column <strong>{loc.column}</strong></>}
          {loc.columnName !== undefined && <> (“{loc.columnName}”)</>}
        </p>
      )}
    </section>
  );
}
