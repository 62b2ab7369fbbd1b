import type { ChangeEvent } from 'react';
import { parseRuns } from '../../../src/io/parseRuns.js';
import { toErrorInfo, type ErrorInfo } from '../lib/errors.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { maxUploadBytes, uploadTooLarge } from '../lib/upload.js';

interface Props {
  onOpen: (loaded: LoadedDataset) => void;
  onError: (error: ErrorInfo) => void;
}

/** A file of runs from the user's disk (at most maxUploadBytes), parsed here in the browser by the CLI's parser. */
export function UploadDataset({ onOpen, onError }: Props) {
  const onChange = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    try {
      // Refused by its size alone, before a byte is read.
      const tooLarge = uploadTooLarge(file.name, file.size);
      if (tooLarge) return onError(tooLarge);
      const dataset = parseRuns(await file.text(), { source: file.name });
      onOpen({ dataset, label: file.name, origin: 'upload', key: `${file.name}:${file.lastModified}:${file.size}` });
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
        <span>Upload a CSV, JSON or JSONL file</span>
        <input type="file" accept=".csv,.tsv,.json,.jsonl,.ndjson,text/csv,application/json" data-testid="upload" onChange={(e) => void onChange(e)} />
      </label>
      <p className="hint">
        Columns N, D (or C) and loss; common names such as parameters, tokens, compute_budget or final_loss are recognised. At most {maxUploadBytes / 1024 / 1024} MiB.
      </p>
    </div>
  );
}
