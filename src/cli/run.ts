// Runs the CLI from TypeScript sources (tests use this; users run bin/scalelab.js).
import { main } from './main.js';

await main();
