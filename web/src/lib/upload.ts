/**
 * The largest file the app opens: the server's request limit (src/server/webApi.ts). A file is
 * parsed here in the browser, so a larger one is refused by its size, before it is read.
 */
import { maxUploadBytes } from '../../../src/server/webApi.js';
import { decodeUtf8 } from '../../../src/io/parseRuns.js';
import type { ErrorInfo } from './errors.js';

export { maxUploadBytes };

const bytes = (n: number) => n.toLocaleString('en-US');

/** Why a file of `size` bytes cannot be opened, or undefined when it can. */
export function uploadTooLarge(name: string, size: number, limit = maxUploadBytes): ErrorInfo | undefined {
  if (size <= limit) return undefined;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  return {
    name: 'InputError',
    message:
      `${name} is ${bytes(size)} bytes, over the ${mib(limit)} (${bytes(limit)}-byte) limit on uploads; it was not read. ` +
      `Open a sample of the runs, or fit the whole file with the command line (scalelab fit ${name}).`,
  };
}

/**
 * A chosen file's text, refused at its first bytes that are not UTF-8 with the command line's located
 * message (decodeUtf8): `File.text()` would turn a Latin-1 or Windows-1252 file's "é" into U+FFFD, and
 * "café" and "cafè" into one name. `name` is how errors name the file (a folder's file by its path).
 */
export async function fileText(file: Blob, name: string): Promise<string> {
  return decodeUtf8(new Uint8Array(await file.arrayBuffer()), name);
}
