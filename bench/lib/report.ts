import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BenchResult {
  name: string;
  /** What was measured and how, in a sentence. */
  method: string;
  /** Rows of the printed table. */
  table: Record<string, string | number>[];
  /**
   * The figures the issue names, with their targets. `met` is null when the run was too small to judge the
   * figure (`why` says what would be enough).
   */
  targets: { figure: string; value: number; target: string; met: boolean | null; why?: string }[];
  details?: Record<string, unknown>;
}

const RESULTS = path.join(__dirname, '..', 'results');

/** The machine, versions and commit a result was measured on. */
export function environment(): Record<string, unknown> {
  const git = (command: string) => {
    try {
      return execSync(command, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    commit: git('git rev-parse --short HEAD'),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    postgres: git('psql --version'),
  };
}

/** Prints the result as a table (or one JSON line) and writes bench/results/<name>.json. */
export function publish(result: BenchResult, json: boolean): void {
  const document = { ...result, environment: environment() };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    path.join(RESULTS, `${result.name}.json`),
    `${JSON.stringify(document, null, 2)}\n`,
  );
  if (json) {
    process.stdout.write(`${JSON.stringify(document)}\n`);
    return;
  }
  process.stdout.write(`\n${result.name}: ${result.method}\n`);
  printTable(result.table);
  for (const target of result.targets) {
    const verdict = target.met === null ? 'UNJUDGED' : target.met ? 'MET     ' : 'MISSED  ';
    process.stdout.write(
      `  ${verdict} ${target.figure} = ${target.value} (target ${target.target})${target.why ? `: ${target.why}` : ''}\n`,
    );
  }
}

export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => cell.padStart(widths[i])).join('  ')}\n`;
  process.stdout.write(line(columns));
  process.stdout.write(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows)
    process.stdout.write(line(columns.map((column) => String(row[column] ?? ''))));
}

/** Progress for the operator, on stderr so `--json` output stays one clean line. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
