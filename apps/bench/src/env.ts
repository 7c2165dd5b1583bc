/** The only reader of process.env in apps/bench: children inherit it, plus what they need. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** Progress bars redraw in place only on a terminal, and not under CI. */
export function interactive(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}
