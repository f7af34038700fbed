/**
 * What both demo services share: the signing secret, the issuer and the
 * audience (so a token issued by one is accepted by the other), and a clock
 * the demo can move forward to show an expired token without waiting.
 */
export const demoClock = { offsetMs: 0, now: () => Date.now() + demoClock.offsetMs };

export const shared = {
  secret: 'demo-only-secret-please-use-a-real-one-0123456789',
  iss: 'demo-auth',
  serverAudience: 'demo-services',
  adminPermission: 'admin',
  expPeriod: 900,
  now: demoClock.now,
};

/** The demo's user table: who holds which permissions. */
export const users: Record<string, readonly string[]> = {
  alice: ['orders:read', 'billing:read'],
  bob: ['orders:*'],
};
