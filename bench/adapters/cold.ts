import { median } from './stats.js';

/**
 * What the cold-cache benchmarks share (guard-cold.ts, fastify-guard-cold.ts,
 * nest/guard-cold.ts): requests sent to capture real framework objects, the
 * timed loop, the table.
 */

/** A contender: its name in the table, and one call of it on one captured input. */
export type Contender<I> = readonly [name: string, call: (input: I) => unknown];

/** Sends `count` GET requests with the Bearer token, 100 at a time, each read to its end. */
export async function sendRequests(url: string, count: number, token: string): Promise<void> {
  for (let sent = 0; sent < count; sent += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - sent) }, () => fetch(url, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer())));
  }
}

/** Read before each timed call: more than every cache below the last level, and half of this machine's 32 MB one. */
const EVICT = new Float64Array(2 * 1024 * 1024);

/**
 * The median ns per call of each contender with cold caches, as a server
 * meets a request between bursts: each call gets an input no call touched
 * (`inputs` holds `(warmCalls + calls) × contenders` of them), 16 MB are read
 * first, `touch` reads what the framework itself reads before the code under
 * test runs, and only the call is timed. Warm-up calls (awaited) let the JIT
 * compile every path; the order of the contenders alternates call by call.
 */
export async function coldMedians<I>(contenders: readonly Contender<I>[], inputs: readonly I[], calls: number, warmCalls: number, touch: (input: I) => number): Promise<number[]> {
  let next = 0;
  for (let i = 0; i < warmCalls; i++) for (const [, call] of contenders) await call(inputs[next++]!);
  let sink = 0;
  const timings = contenders.map(() => [] as number[]);
  for (let i = 0; i < calls; i++) {
    const order = i % 2 === 0 ? [...contenders.keys()] : [...contenders.keys()].reverse();
    for (const which of order) {
      const input = inputs[next++]!;
      for (let j = 0; j < EVICT.length; j += 8) sink += EVICT[j]!;
      sink += touch(input);
      const started = process.hrtime.bigint();
      void contenders[which]![1](input);
      timings[which]!.push(Number(process.hrtime.bigint() - started));
    }
  }
  if (sink === -1) console.log(sink); // keeps the reads from being optimized away
  return timings.map((t) => median(t));
}

/** The table: each contender's median, and its difference to the first contender's. */
export function printColdTable(title: string, contenders: readonly Contender<never>[], medians: readonly number[], above: string): void {
  console.log(`${title}, Node ${process.version}\n`);
  console.log(`| contender | ns/call (median) | above ${above}, ns |`);
  console.log('|---|---:|---:|');
  contenders.forEach(([name], i) => console.log(`| ${name} | ${medians[i]!.toFixed(0)} | ${i === 0 ? '' : (medians[i]! - medians[0]!).toFixed(0)} |`));
}
