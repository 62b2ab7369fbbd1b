import { runFormatNames } from '../../../src/io/parseRuns.js';
import type { RunsFile } from '../lib/runsFile.js';
import { fileText } from '../lib/upload.js';
import { Field } from './Field.js';

/**
 * Where a panel that reads its own runs gets them: an upload, the bundled example, or the data set the page
 * has opened when it is an upload this tab keeps. One control for every such panel, so each offers the same
 * three ways in (test ids `<id>-upload`, `<id>-example`, `<id>-opened`).
 */
export function RunsFileChoice({
  id,
  label,
  example,
  opened,
  onChoose,
  onError,
}: {
  id: string;
  /** What the file holds; the formats it may be in are added. */
  label: string;
  example: RunsFile;
  opened?: RunsFile;
  onChoose: (file: RunsFile) => void;
  /** A chosen file that cannot be read as text (not UTF-8), with where. */
  onError: (e: unknown) => void;
}) {
  return (
    <>
      <Field label={`${label} (${runFormatNames})`}>
        <input
          type="file"
          accept=".csv,.json,.jsonl"
          data-testid={`${id}-upload`}
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            try {
              onChoose({ name: f.name, text: await fileText(f, f.name) });
            } catch (err) {
              onError(err);
            }
          }}
        />
      </Field>
      <div className="field">
        <span className="field-label">or</span>
        <button type="button" className="inline" data-testid={`${id}-example`} onClick={() => onChoose(example)}>
          Open the example ({example.name.split('/').pop()})
        </button>
        {opened && (
          <button
            type="button"
            className="inline"
            data-testid={`${id}-opened`}
            onClick={() => onChoose({ name: opened.name, text: opened.text })}
          >
            Use the opened file ({opened.name})
          </button>
        )}
      </div>
    </>
  );
}
