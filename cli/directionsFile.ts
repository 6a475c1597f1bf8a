/**
 * The `--directions <file.json>` option of `render` and `motion`: a directions document (core/motion/directions.ts).
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.ts';
import { parseDirections, type Directions } from '../core/motion/directions.ts';

/**
 * Reads a directions JSON file (core/motion/directions.ts schema, `schemaVersion: 1`).
 * @throws InvalidInputError naming the file when it is missing, not JSON, or does not match the schema.
 */
export async function readDirectionsFile(path: string): Promise<Directions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidInputError(`--directions: file not found: ${path}`, { path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`--directions: ${path} is not valid JSON: ${(err as Error).message}`, { path });
  }
  try {
    return parseDirections(json);
  } catch (err) {
    throw new InvalidInputError(`--directions ${path}: ${(err as Error).message}`, { path });
  }
}

