import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ScaleLabError, UsageError } from '../../errors/index.js';
import { defaultStorePath } from '../../store/store.js';
import { bundledDatasets, createWebServer, defaultAssetsDir } from '../../server/webServer.js';
import { parseInteger } from '../options.js';
import { flag } from '../flags.js';
import { exposedServerWarning, listenError, printJson, writeStdout } from '../output.js';
import { stopServerOnInterrupt } from '../interrupt.js';
import type { Run } from '../output.js';

interface ServeFlags {
  port: string;
  host: string;
  db: string;
  json?: boolean;
}

export function registerServe(program: Command, run: Run): void {
  program
    .command('serve')
    .description(
      'serve the interactive web app: open or upload runs, fit in the browser, plan the big run, watch a sweep',
    )
    .addOption(flag('port', { default: '8080' }))
    .addOption(flag('host', { detail: '127.0.0.1 keeps it on this machine', default: '127.0.0.1' }))
    .addOption(
      flag('db', {
        detail: 'whose studies the app shows (opened read-only; never created)',
        default: defaultStorePath,
      }),
    )
    .addOption(flag('json', { detail: 'here {"url": …, "store": {"path", "exists", "error"?}} when listening' }))
    .addHelpText(
      'after',
      `
The app fits in the browser (a Web Worker running the same code as "scalelab fit"); the server
only serves the built app (web/dist) and reads the bundled data sets and the run store. It opens
the store read-only and never creates it: a missing store shows no studies (a sweep's store
appears once it exists); a file that is not a run store is reported here and in the app. A request
whose Host header is not localhost, 127.0.0.1, [::1] or --host's address is refused (421), so a web
page cannot reach the server by rebinding its own name to this machine.
Examples:
  scalelab serve                       # http://127.0.0.1:8080
  scalelab serve --port 0 --json       # a free port, printed as JSON
  scalelab serve --db lab/runs.db      # watch the studies of another store`,
    )
    .action(async (f: ServeFlags) =>
      run(async () => {
        const port = parseInteger(f.port, '--port', 0);
        if (port > 65535) throw new UsageError(`--port: expected at most 65535, got ${port}`);
        const assetsDir = defaultAssetsDir();
        if (!existsSync(join(assetsDir, 'index.html'))) {
          throw new ScaleLabError(
            `the web app is not built: ${join(assetsDir, 'index.html')} is missing; run "npm run build" (or "npm install") in the scalelab folder`,
          );
        }
        const web = createWebServer({ storePath: f.db, assetsDir, datasets: bundledDatasets() });
        let url: string;
        try {
          ({ url } = await web.listen(port, f.host));
        } catch (e) {
          throw listenError(f.host, port, e);
        }
        const exposed = exposedServerWarning(
          f.host,
          Number(new URL(url).port),
          `anyone who can reach it reads the studies and runs of ${f.db} (it asks for no key)`,
        );
        if (exposed) process.stderr.write(exposed);
        const store = web.storeStatus();
        if (store.exists && store.error)
          process.stderr.write(`scalelab: warning: ${store.error}; the app shows no studies from it\n`);
        if (f.json) printJson({ url, store });
        else
          writeStdout(
            `ScaleLab web app at ${url} (run store ${f.db}${store.exists ? '' : ', not created yet'}; Ctrl-C to stop)\n`,
          );
        await new Promise<void>((resolve) => {
          // Ctrl-C or SIGTERM closes the server and the command returns; a second one ends it at once.
          stopServerOnInterrupt(() => void web.close().then(resolve));
        });
      }, f.json),
    );
}
