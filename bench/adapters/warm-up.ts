/**
 * The warm-up's requests, split into loads that each open fresh connections
 * and close them at the end. Node runs its connection-closing path (stream
 * `end`/`close`, the socket's `destroy`, the HTTP parser's release) for the
 * first time when the first warm-up connection closes, and that path changes
 * the maps of objects its hot code was optimized for: under `--trace-deopt`,
 * 40 "wrong map" deoptimizations in stream, event and HTTP code, then 50-55
 * recompilations (Express and Fastify alike). With one warm-up load all of
 * that happened in the measured window; with two loads, one recompilation
 * is left there, with four none (bench/adapters.md, "The connection pass").
 * The loads are equal: under callgrind a last load of 2 000 requests after
 * 14 000 still left V8's compiler threads working in the measured window.
 */
export function warmupLoads(total: number, loads: number): number[] {
  if (total <= 0) return [];
  const each = Math.floor(total / loads);
  return Array.from({ length: loads }, (_, i) => (i === 0 ? total - each * (loads - 1) : each));
}
