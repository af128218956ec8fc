/**
 * Runs task(0) … task(count - 1), at most `limit` at once, started in index order. A task that
 * returns 'stop', or throws, stops new starts; the call still waits for the tasks already started
 * (no work is left running behind a failure), then throws the first lane's failure.
 */
export async function runLimited(
  count: number,
  limit: number,
  task: (i: number) => Promise<void | 'stop'>,
  /**
   * Asked by a lane (numbered from 0) before each task it starts: undefined to go on, or a promise
   * after which the lane asks again (while tasks are left).
   */
  gate?: (lane: number) => Promise<void> | undefined,
): Promise<void> {
  let next = 0;
  let stopped = false;
  const lane = async (_: unknown, laneIndex: number) => {
    while (!stopped && next < count) {
      const wait = gate?.(laneIndex);
      if (wait) {
        await wait;
        continue;
      }
      const i = next++;
      try {
        if ((await task(i)) === 'stop') stopped = true;
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(0, Math.min(Math.max(1, limit), count)) }, lane);
  const results = await Promise.allSettled(lanes);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** fn over every item, at most `limit` at once (each lane past its gate, as runLimited); the results in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  gate?: (lane: number) => Promise<void> | undefined,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  await runLimited(
    items.length,
    limit,
    async (i) => {
      out[i] = await fn(items[i]!);
    },
    gate,
  );
  return out;
}
