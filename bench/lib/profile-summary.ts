import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: the functions with the most self time, and the
 * packages with the most inclusive time. Open the .cpuprofile itself in Chrome DevTools or speedscope for the
 * flame graph.
 */
export function summariseProfile(directory: string, top = 15): Record<string, unknown> {
  const file = readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (!file) return { error: `no .cpuprofile in ${directory}` };
  const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const label = (node: ProfileNode) => {
    const url = node.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
    return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber}`;
  };
  const bySelf = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, time] of self) {
    const node = nodes.get(id)!;
    bySelf.set(label(node), (bySelf.get(label(node)) ?? 0) + time);
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parents.get(current)
    ) {
      const url = nodes.get(current)!.callFrame.url;
      const pkg =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
        (url.includes('/dist/') ? 'switchboard' : undefined);
      if (pkg && !seen.has(pkg)) {
        seen.add(pkg);
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
      }
    }
  }
  const share = (time: number) => `${((100 * time) / total).toFixed(1)}%`;
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `${share(time).padStart(6)}  ${name}`);
  return {
    file: path.join(directory, file),
    selfTime: ranked(bySelf),
    inclusiveByPackage: ranked(byPackage),
  };
}
