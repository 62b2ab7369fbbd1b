/**
 * Read a world file (Node side). `default` (or no path) is the world shipped in worlds/default.json.
 */
import { packagePath } from '../io/packageRoot.js';
import { readText } from '../io/readRuns.js';
import { jsonFieldPlaces, parseJsonText } from '../io/parseJson.js';
import { parseWorld, type World } from './world.js';

export const defaultWorldPath = packagePath('worlds', 'default.json');

export function loadWorld(path?: string): World {
  const file = !path || path === 'default' ? defaultWorldPath : path;
  const text = readText(file, 'a world file (JSON, as worlds/default.json)');
  return parseWorld(parseJsonText(text, file, 'a world (see worlds/README.md)'), file, jsonFieldPlaces(text));
}
