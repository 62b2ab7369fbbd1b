import type { ChangeEvent } from 'react';
import { parseRuns, runFormatNames } from '../../../src/io/parseRuns.js';
import { InputError } from '../../../src/errors/index.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { fileText, maxUploadBytes, uploadTooLarge } from '../lib/upload.js';
import { keepUpload } from '../lib/uploadStore.js';
import { columnStepReason, fileColumns, guessColumns, missingFields, type PendingUpload } from '../lib/columns.js';

interface Props {
  onOpen: (loaded: LoadedDataset) => void;
  onError: (error: ErrorInfo) => void;
  /** A file whose columns the user should map (the column step), or undefined to close the step. */
  onColumns: (pending: PendingUpload | undefined) => void;
}

/**
 * A file of runs from the user's disk (at most maxUploadBytes), parsed here in the browser by the
 * CLI's parser. When its columns are not recognised, the column step (ColumnMapping) opens.
 */
export function UploadDataset({ onOpen, onError, onColumns }: Props) {
  /**
   * An lm-evaluation-harness results file chosen here, where runs go: the parser's "expected a JSON array of
   * runs, got an object" left the user to guess that the Downstream accuracy panel reads it.
   */
  const taskMetricsFile = (text: string, name: string): InputError | undefined => {
    if (!/\.json$/i.test(name)) return undefined;
    try {
      const doc = JSON.parse(text) as unknown;
      if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'results' in doc)
        return new InputError(
          { file: name, line: 1, column: 1 },
          'this is an lm-evaluation-harness results file (task metrics, not training runs): open it in the "Downstream accuracy" panel; here a file of runs (N, D or C, and loss) is fitted',
        );
    } catch {
      // Not JSON: the parser's own error says so.
    }
    return undefined;
  };

  const onChange = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    onColumns(undefined);
    try {
      // Refused by its size alone, before a byte is read.
      const tooLarge = uploadTooLarge(file.name, file.size);
      if (tooLarge) return onError(tooLarge);
      const text = await fileText(file, file.name);
      const key = `${file.name}:${file.lastModified}:${file.size}`;
      const pending = (reason: string): PendingUpload => {
        const header = fileColumns(text, file.name);
        return { name: file.name, text, key, header, guess: guessColumns(header), reason };
      };
      let dataset;
      try {
        dataset = parseRuns(text, { source: file.name });
      } catch (e) {
        const elsewhere = taskMetricsFile(text, file.name);
        if (elsewhere) throw elsewhere;
        // A missing column, or a refused loss where another loss column is there: the column step can fix it.
        const reason = columnStepReason(e);
        const columnStep = reason !== undefined && fileColumns(text, file.name).length > 0;
        if (columnStep) onColumns(pending(reason));
        // The message says what was expected at its line; the next step says what to do here.
        return onError(
          withNextStep(toErrorInfo(e), {
            again: 'upload the file again',
            ...(columnStep ? { columnStep: 'below' as const } : {}),
          }),
        );
      }
      keepUpload({ name: file.name, text });
      onOpen({ dataset, label: file.name, origin: 'upload', key });
      const missing = missingFields(dataset);
      if (missing) onColumns(pending(`${file.name} opened, but ${missing}, which the default fit needs`));
    } catch (e) {
      onError(toErrorInfo(e));
    } finally {
      input.value = ''; // choosing the same file again reloads it
    }
  };

  return (
    <div className="subsection">
      <h3>Your runs</h3>
      <label className="upload">
        <span>Upload a {runFormatNames} file</span>
        <input
          type="file"
          accept=".csv,.tsv,.json,.jsonl,.ndjson,text/csv,application/json"
          data-testid="upload"
          onChange={(e) => void onChange(e)}
        />
      </label>
      <p className="hint">
        Columns N, D (or C) and loss; common names such as parameters, tokens, compute_budget or final_loss are
        recognised, and others can be mapped after the upload. At most {maxUploadBytes / 1024 / 1024} MiB.
      </p>
    </div>
  );
}
