import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** An HTTP answer as the client saw it. `json` is `{}` when the body is not JSON. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every header line as sent, for "no token/secret anywhere" checks. */
  rawHeaders: string;
  text: string;
  json: Record<string, unknown>;
}

/**
 * A real HTTP request with node:http (fetch merges repeated headers into one;
 * here an array value sends the header twice, as a hostile client would).
 */
export function request(base: string, path: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown>;
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          json = {};
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders.join('\n'), text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): OutgoingHttpHeaders {
  return { authorization: `Bearer ${token}` };
}
