// The only reader of process.env in apps/cli's tests: what the child processes inherit.
export const inherited = { PATH: process.env.PATH };
