import { interactive } from './env';

/**
 * A one-line progress bar on stderr: done/total units, elapsed time and what runs now.
 * Redrawn in place on a terminal; elsewhere (CI, pipes) each new status is one plain line.
 */
export class Progress {
  private done = 0;
  private label = '';
  private readonly started = performance.now();
  private readonly tty = interactive();
  private timer: NodeJS.Timeout | null = null;

  constructor(private total: number) {
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 500);
      this.timer.unref();
    }
  }

  /** Work that turned out unnecessary (a ramp that ended early) still counts as done. */
  advance(units = 1) {
    this.done = Math.min(this.total, this.done + units);
    this.draw();
  }

  status(label: string) {
    this.label = label;
    if (this.tty) this.draw();
    else process.stderr.write(`[bench ${this.elapsed()}] ${label}\n`);
  }

  /** Prints a line above the bar. */
  note(line: string) {
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${line}\n`);
    this.draw();
  }

  finish() {
    if (this.timer) clearInterval(this.timer);
    this.done = this.total;
    if (this.tty) {
      this.draw();
      process.stderr.write('\n');
    }
  }

  private elapsed() {
    const s = Math.round((performance.now() - this.started) / 1000);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  }

  private draw() {
    if (!this.tty) return;
    const width = 24;
    const share = this.total > 0 ? this.done / this.total : 0;
    const filled = Math.round(share * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const cols = process.stderr.columns ?? 100;
    const line = `[${bar}] ${String(Math.round(share * 100)).padStart(3)}% ${this.elapsed()}  ${this.label}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
  }
}
