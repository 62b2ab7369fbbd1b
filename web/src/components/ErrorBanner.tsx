import type { ErrorInfo } from '../lib/errors.js';
import { optionAdvice } from '../lib/advice.js';
import { useAdvice } from '../hooks/useAdvice.js';

/**
 * An error, prominent, with where in the file it sits when that is known, its advice in the
 * app's words (not the command line's), and what to do next where the part of the page that read the
 * file said (ErrorInfo.next: fix line 12 and upload it again). The app moves focus to its heading when it appears.
 */
export function ErrorBanner({ title, error }: { title: string; error: ErrorInfo }) {
  const advise = useAdvice();
  const loc = error.location;
  const advice = optionAdvice(error.option);
  return (
    <section className="error-banner" role="alert" data-testid="error" aria-labelledby="error-heading">
      <h2 id="error-heading" tabIndex={-1}>
        {title}
      </h2>
      <p className="error-message" data-testid="error-message">
        {advise(error.message)}
      </p>
      {advice && <p data-testid="error-advice">{advice}</p>}
      {loc && (loc.line !== undefined || loc.columnName !== undefined) && (
        <p className="error-location" data-testid="error-location">
          In <strong>{loc.file}</strong>
          {loc.line !== undefined && (
            <>
              {' '}
              at line <strong>{loc.line}</strong>
            </>
          )}
          {loc.column !== undefined && (
            <>
              , column <strong>{loc.column}</strong>
            </>
          )}
          {loc.columnName !== undefined && <> (“{loc.columnName}”)</>}
        </p>
      )}
      {error.next && (
        <p className="error-next" data-testid="error-next">
          {error.next}
        </p>
      )}
    </section>
  );
}
