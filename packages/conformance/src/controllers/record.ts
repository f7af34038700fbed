/** Which handler bodies ran: a rejected request must leave this empty. */
export const ran: string[] = [];

/**
 * Where the adapter put the verified values: on `first.state` when the first
 * handler argument is a Koa-style context (it has `state` and `req`),
 * otherwise on the first argument itself (Express's `req`, Fastify's
 * `request`). An adapter must make them readable in one of these two places.
 */
export function stateOf(first: unknown): Record<string, unknown> {
  const arg = first as Record<string, unknown>;
  return 'state' in arg && 'req' in arg ? (arg['state'] as Record<string, unknown>) : arg;
}

/** What a handler answers: its name, its `this`, and every injected value it can see. */
export function view(name: string, self: { label: string }, args: readonly unknown[]): Record<string, unknown> {
  ran.push(name);
  const state = stateOf(args[0]);
  const claims = state['tokenClaims'] as { jti?: string } | undefined;
  const refreshClaims = state['refreshClaims'] as { fam?: string } | undefined;
  return {
    ran: name,
    self: self.label,
    tokenSubject: state['tokenSubject'],
    tokenData: state['tokenData'],
    tokenPermissions: state['tokenPermissions'],
    tokenJti: claims?.jti,
    refreshData: state['refreshData'],
    refreshFamily: refreshClaims?.fam,
    nextIsFunction: typeof args[args.length - 1] === 'function',
  };
}
