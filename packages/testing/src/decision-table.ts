import { AssertionError } from 'node:assert';
import type { TestClaims, TestIssuer } from './issuer.js';

/**
 * A route's access policy as a table: who (the claims of the token sent, or
 * none) asks for what (a method and a path) and which status must come
 * back. Each row is sent to a real app over HTTP, so what is checked is what
 * a client sees: the framework, its routing, the adapter and core together.
 */
export interface Decision {
  /** Claims of the token to send (`issuer.token(claims)`); `null` sends no Authorization header. */
  claims: TestClaims | null;
  /** `'GET /orders/7'`: a method, one space, a path (with any query). */
  route: string;
  /** The status the app must answer. */
  expect: number;
  /** A JSON body to send (POST, PUT…). */
  body?: unknown;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Names the row in a failure report; default `${route} as ${sub}`. */
  name?: string;
}

export interface DecisionResult {
  readonly name: string;
  readonly expected: number;
  readonly actual: number;
  readonly ok: boolean;
}

/** Sends every row (one after the other: rows may change state, e.g. a revocation) and reports each status. */
export async function runDecisionTable(baseUrl: string | { url: string }, issuer: TestIssuer, rows: readonly Decision[]): Promise<DecisionResult[]> {
  const base = typeof baseUrl === 'string' ? baseUrl : baseUrl.url;
  const results: DecisionResult[] = [];
  for (const [index, row] of rows.entries()) {
    const { method, path } = parseRoute(row.route, index);
    const headers: Record<string, string> = { ...row.headers };
    if (row.claims !== null) headers['authorization'] = `Bearer ${issuer.token(row.claims)}`;
    if (row.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(new URL(path, base), { method, headers, ...(row.body !== undefined && { body: JSON.stringify(row.body) }) });
    await response.arrayBuffer();
    results.push(Object.freeze({ name: row.name ?? defaultName(row), expected: row.expect, actual: response.status, ok: response.status === row.expect }));
  }
  return results;
}

/** Runs the table and throws one AssertionError listing every row whose status differed. */
export async function assertDecisions(baseUrl: string | { url: string }, issuer: TestIssuer, rows: readonly Decision[]): Promise<void> {
  if (rows.length === 0) throw new TypeError('assertDecisions: a decision table needs at least one row');
  const results = await runDecisionTable(baseUrl, issuer, rows);
  const wrong = results.filter((result) => !result.ok);
  if (wrong.length === 0) return;
  throw new AssertionError({
    message: `${wrong.length} of ${results.length} decisions differ:\n${wrong.map((r) => `  ${r.name}: expected ${r.expected}, got ${r.actual}`).join('\n')}`,
    actual: wrong.map((r) => r.actual),
    expected: wrong.map((r) => r.expected),
    operator: 'decisionTable',
  });
}

function parseRoute(route: string, index: number): { method: string; path: string } {
  const match = typeof route === 'string' ? /^([A-Z]+) (\/\S*)$/.exec(route) : null;
  if (match === null) throw new TypeError(`decision table row ${index}: route must be 'METHOD /path', e.g. 'GET /orders'`);
  return { method: match[1] as string, path: match[2] as string };
}

function defaultName(row: Decision): string {
  if (row.claims === null) return `${row.route} without a token`;
  const perms = Array.isArray(row.claims['perms']) ? `[${(row.claims['perms'] as unknown[]).join(', ')}]` : 'default claims';
  return `${row.route} with ${perms}`;
}
