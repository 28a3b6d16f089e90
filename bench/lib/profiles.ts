import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { BenchOptions } from './bench-env';

/** Where a benchmark's Switchboard writes its CPU profile when --profile is given (emptied first). */
export function profileDirectory(options: BenchOptions, name: string): string | undefined {
  if (!options.profile) return undefined;
  const directory = path.join(__dirname, '..', 'results', 'profiles', name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  return directory;
}
