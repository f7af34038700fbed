/**
 * The timing loop shared by the verify benchmarks. A contender is
 * `{ sync }` (plain loop), `{ async }` (awaited in batches of `batch`, as
 * concurrent requests are) or `{ async, sequential: true }` (one await per
 * call). Returns ns per operation over about `ms` milliseconds.
 */
export async function nsPerOp(contender, ms, { chunk = 1000, batch = 64 } = {}) {
  const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  const batches = Math.max(1, Math.floor(chunk / batch));
  let ops = 0;
  const start = process.hrtime.bigint();
  let now = start;
  while (now < deadline) {
    if (contender.sync) {
      for (let i = 0; i < chunk; i++) contender.sync();
      ops += chunk;
    } else if (contender.sequential) {
      for (let i = 0; i < chunk; i++) await contender.async();
      ops += chunk;
    } else {
      for (let b = 0; b < batches; b++) {
        const pending = new Array(batch);
        for (let i = 0; i < batch; i++) pending[i] = contender.async();
        await Promise.all(pending);
      }
      ops += batches * batch;
    }
    now = process.hrtime.bigint();
  }
  return Number(now - start) / ops;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
