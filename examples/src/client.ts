/**
 * The printing HTTP client of the demo: each request and its answer (method,
 * URL, status, the headers that matter, bodies with tokens shortened), and a
 * check of the answer against the expected one. A wrong answer is counted,
 * printed, and makes the demo exit non-zero.
 */
export interface Expectation {
  status: number;
  /** The `error` code of the JSON body, for refusals. */
  error?: string;
  /** Text the `WWW-Authenticate` challenge must contain (e.g. the missing scope of a 403, RFC 6750 §3.1). */
  challenge?: string;
  /** Any other check on the parsed body; returns a problem, or undefined. */
  check?: (body: unknown) => string | undefined;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const TOKEN = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;
const SHOWN_RESPONSE_HEADERS = ['www-authenticate', 'cache-control', 'retry-after'];

// HTTP Basic credentials (a service's client id and secret): never printed.
const BASIC = /^Basic [A-Za-z0-9+/=]+$/i;

/** A token is shown as its first characters and length; its header (alg, typ, kid) is printed separately where it matters. */
export const shorten = (text: string) => (BASIC.test(text) ? 'Basic …(credentials not shown)' : text.replace(TOKEN, (token) => `${token.slice(0, 12)}…(${token.length} chars)`));

/** The decoded JOSE header of a token: for display only (which key signed it), never trusted. */
export const tokenHeader = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg: string; typ: string; kid: string };

export let failures = 0;

/** An unexpected fact found outside a request (counted like a wrong answer). */
export function fail(problem: string): void {
  failures++;
  console.log(`  ✗ ${problem}`);
}

export function note(text: string): void {
  console.log(`\n${text}`);
}

export async function step(title: string, url: string, init: RequestInit, expected: Expectation): Promise<Answer> {
  const method = init.method ?? 'GET';
  console.log(`\n▶ ${title}`);
  console.log(`  → ${method} ${url}`);
  for (const [name, value] of new Headers(init.headers)) console.log(`  → ${name}: ${shorten(value)}`);
  if (typeof init.body === 'string') console.log(`  → ${shorten(init.body)}`);

  const response = await fetch(url, init);
  const text = await response.text();
  const body = parsed(text);
  console.log(`  ← ${response.status} ${response.statusText}`);
  for (const name of SHOWN_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value) console.log(`  ← ${name}: ${value}`);
  }
  for (const cookie of response.headers.getSetCookie()) console.log(`  ← set-cookie: ${shorten(cookie)}`);
  const shown = shorten(text);
  if (shown !== '') console.log(`  ← ${shown.length > 600 ? `${shown.slice(0, 600)}…` : shown}`);
  const accessToken = member(body, 'accessToken');
  if (typeof accessToken === 'string') console.log(`    (access token header: ${JSON.stringify(tokenHeader(accessToken))})`);

  const problems: string[] = [];
  if (response.status !== expected.status) problems.push(`expected status ${expected.status}`);
  if (expected.error !== undefined && member(body, 'error') !== expected.error) problems.push(`expected error ${expected.error}`);
  if (expected.challenge !== undefined && !(response.headers.get('www-authenticate') ?? '').includes(expected.challenge)) problems.push(`expected a challenge with ${expected.challenge}`);
  const problem = expected.check?.(body);
  if (problem !== undefined) problems.push(problem);
  if (problems.length > 0) {
    failures++;
    console.log(`  ✗ ${problems.join('; ')}`);
  } else {
    console.log(`  ✓ ${expected.status}${expected.error ? ` ${expected.error}` : ''}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** A JSON body parsed; a body that is not JSON stays text. */
function parsed(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A member of a parsed body, or undefined when the body is not an object. */
export const member = (body: unknown, name: string): unknown => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined);

/** The refresh cookie of a login or refresh answer, as a `Cookie` request header value. */
export function refreshCookie(answer: Answer): string {
  const cookie = answer.headers.getSetCookie().find((value) => value.startsWith('apojwt_refresh='));
  return cookie?.split(';')[0] ?? '';
}
