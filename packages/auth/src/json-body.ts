import type { IncomingMessage } from 'node:http';
import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';

/** Default size limit of a JSON request body read by apojwt (a login is a few hundred bytes). */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

export interface JsonBodyOptions {
  /** Largest body read, in bytes; default 16 KiB. A larger one is ERR_BODY_TOO_LARGE (413). */
  limit?: number;
}

export function bodyLimitOption(limit: unknown): number {
  if (limit === undefined) return DEFAULT_BODY_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1024 * 1024) {
    throw new ApoJwtConfigError('bodyLimit must be a whole number of bytes from 1 to 1048576');
  }
  return limit;
}

function tooLarge(limit: number): ApoJwtError {
  return new ApoJwtError('ERR_BODY_TOO_LARGE', `the request body is larger than ${limit} bytes`);
}

/**
 * Reads and parses a JSON request body from a Node request, for routes with
 * no body-parser middleware in front. At most `limit` bytes are kept: a
 * declared Content-Length over the limit is refused before reading, and a
 * body that grows past it is refused as soon as it does (the rest is
 * discarded, not buffered). Malformed JSON or an empty body is
 * ERR_BODY_INVALID (400). Nothing of the body goes into a message.
 */
export async function readJsonBody(req: IncomingMessage, options: JsonBodyOptions = {}): Promise<unknown> {
  const text = await readBodyText(req, options, 'and not parsed as JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApoJwtError('ERR_BODY_INVALID', 'the request body is not valid JSON');
  }
}

/** The request body as UTF-8 text, at most `limit` bytes (ERR_BODY_TOO_LARGE past it), for routes with no body parser. */
export async function readBodyText(req: IncomingMessage, options: JsonBodyOptions = {}, unreadable = 'and not parsed'): Promise<string> {
  const limit = bodyLimitOption(options.limit);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  if (req.readableEnded) throw new ApoJwtError('ERR_BODY_INVALID', `the request body was already read, ${unreadable}`);
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        cleanup();
        req.resume(); // discard the rest, so the answer can still be sent on this connection
        reject(tooLarge(limit));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = () => {
      cleanup();
      reject(new ApoJwtError('ERR_BODY_INVALID', 'the request body could not be read'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
