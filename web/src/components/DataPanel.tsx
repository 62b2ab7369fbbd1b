import type { ApiState } from '../hooks/useApi.js';
import type { Studies } from '../../../src/server/webApi.js';
import type { ErrorInfo } from '../lib/errors.js';
import type { LoadedDataset } from '../lib/loaded.js';
import type { PendingUpload } from '../lib/columns.js';
import { BundledDatasets } from './BundledDatasets.js';
import { UploadDataset } from './UploadDataset.js';
import { StoreBrowser } from './StoreBrowser.js';

interface Props {
  current?: LoadedDataset;
  studies: ApiState<Studies>;
  onOpen: (loaded: LoadedDataset) => void;
  onError: (error: ErrorInfo) => void;
  onColumns: (pending: PendingUpload | undefined) => void;
}

/** Where runs come from: the bundled data sets, a file, or the run store. */
export function DataPanel({ current, studies, onOpen, onError, onColumns }: Props) {
  return (
    <section className="panel" aria-labelledby="data-heading">
      <h2 id="data-heading">Data</h2>
      {current && (
        <p className="current" data-testid="current-dataset">
          Open: <strong>{current.label}</strong> ({current.dataset.runs.length} runs)
        </p>
      )}
      <BundledDatasets current={current} onOpen={onOpen} onError={onError} />
      <UploadDataset onOpen={onOpen} onError={onError} onColumns={onColumns} />
      <StoreBrowser current={current} studies={studies} onOpen={onOpen} onError={onError} />
    </section>
  );
}
