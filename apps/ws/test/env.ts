// The only reader of process.env in apps/ws's tests: what child processes inherit, and a
// Redis the machine already runs (else the cluster test starts its own).
export const inherited = { PATH: process.env.PATH, HOME: process.env.HOME };
export const externalRedisUrl = process.env.REDIS_URL;
