import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The V8 flags production runs Switchboard with (the Dockerfile's CMD, `npm start`), given to the baselines'
 * servers too: every server measured runs on the same runtime settings.
 */
export const SERVER_NODE_FLAGS = [
  '--max-semi-space-size=32',
  '--heap-growing-percent=100',
  '--no-memory-reducer',
];
const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface Usage {
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU time and resident memory of a process, from /proc (Linux). */
export function usageOf(pid: number): Usage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
}

export interface Server {
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  child: ChildProcess,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

function stopper(child: ChildProcess, graceMs = 15_000): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
}

/** Starts the built Switchboard (`dist/src/main.js`) as production would, and waits for readiness. */
export async function startSwitchboard(
  env: Record<string, string>,
  port: number,
  profileDir?: string,
  nodeArgs: string[] = [],
): Promise<Server> {
  const logFile = path.join(os.tmpdir(), `switchboard-bench-${port}.log`);
  const log = createWriteStream(logFile);
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const main = path.join(ROOT, 'dist', 'src', 'main.js');
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...profiling, ...nodeArgs, main], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => (await fetch(`${url}/health/ready`)).ok,
    90_000,
    'Switchboard',
    child,
  );
  // A profiled process writes its profile as it exits, which takes a while after a long loaded run.
  return { url, pid: child.pid!, logFile, stop: stopper(child, profileDir ? 120_000 : 15_000) };
}

/** Runs a TypeScript file of bench/ as its own process (load generators, baselines). */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...nodeFlags,
      '-r',
      'ts-node/register/transpile-only',
      path.join(ROOT, 'bench', script),
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/** Starts a baseline server script that prints `{"ready":true}` on stdout once it listens. */
export async function startScriptServer(
  script: string,
  port: number,
  env: Record<string, string> = {},
): Promise<Server> {
  const child = spawnScript(script, [], { ...env, PORT: String(port) }, SERVER_NODE_FLAGS);
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('"ready":true')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, logFile: '', stop: stopper(child) };
}

/** Runs a load-generator script to completion and returns the JSON it prints last. */
export function runScript<T>(
  script: string,
  args: string[],
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<T> {
  const child = spawnScript(script, args, env);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(last) as T);
      } catch (error) {
        reject(new Error(`${script} failed (${(error as Error).message}): ${output.slice(-500)}`));
      }
    });
  });
}
