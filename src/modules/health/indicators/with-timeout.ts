/** Resolves with the elapsed milliseconds of `task`, or rejects when it takes longer than `ms`. */
export async function timed(task: () => Promise<unknown>, ms: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      task(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
    return Math.round((performance.now() - started) * 100) / 100;
  } finally {
    clearTimeout(timer);
  }
}
