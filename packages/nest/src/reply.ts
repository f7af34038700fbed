import type { HttpAdapterHost } from '@nestjs/core';
import type { AuthResponse } from '@apojwt/core';

/**
 * Copies core's answer into the platform's response through Nest's HTTP
 * adapter (the same on Express and Fastify): status, headers, each
 * Set-Cookie, then the JSON body (none for a 204).
 */
export function sendAnswer(adapterHost: HttpAdapterHost, response: unknown, answer: Pick<AuthResponse, 'status' | 'headers' | 'body'> & { cookies?: readonly string[] }): void {
  const { httpAdapter } = adapterHost;
  for (const [name, value] of Object.entries(answer.headers)) httpAdapter.setHeader(response, name, value);
  for (const cookie of answer.cookies ?? []) httpAdapter.appendHeader(response, 'Set-Cookie', cookie);
  httpAdapter.reply(response, answer.body, answer.status);
}
