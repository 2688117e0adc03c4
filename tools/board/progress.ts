// Progress on stderr: one updating bar when stderr is a terminal, plain lines every 10% otherwise
// (CI logs), and nothing with `quiet`.

export interface ProgressSink { isTTY?: boolean; columns?: number; write(s: string): any }

export class Progress {
  private total: number;
  private done = 0;
  private lastPct = -1;
  private lastStep = '';
  private active = false;
  constructor(total: number, private out: ProgressSink = process.stderr, private quiet = false) {
    this.total = Math.max(1, total);
  }

  /** True when it draws a bar on a terminal (worth updating often). */
  get interactive(): boolean { return !this.quiet && !!this.out.isTTY; }

  /** Change the total (units) before the first update. */
  setTotal(total: number): void { this.total = Math.max(1, total); }

  /** Report `done` units of the total, working on `step`. */
  update(done: number, step: string): void {
    if (this.quiet) return;
    this.done = Math.min(this.total, Math.max(0, done));
    const pct = Math.floor((this.done * 100) / this.total);
    if (this.out.isTTY) {
      if (pct === this.lastPct && step === this.lastStep) return;
      const width = 30;
      const fill = Math.round((pct * width) / 100);
      const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${step}`;
      const cols = this.out.columns || 80;
      this.out.write('\r' + line.slice(0, cols - 1) + '\x1b[K');
      this.active = true;
    } else {
      const tenth = Math.floor(pct / 10) * 10;
      if (step !== this.lastStep || tenth !== Math.floor(this.lastPct / 10) * 10) {
        this.out.write(`${String(pct).padStart(3)}% ${step}\n`);
      }
    }
    this.lastPct = pct;
    this.lastStep = step;
  }

  /** A step without units (connecting, restarting...). */
  step(step: string): void { this.update(this.done, step); }

  /** End the bar (a newline on a terminal). */
  finish(): void {
    if (this.quiet) return;
    if (this.out.isTTY && this.active) this.out.write('\n');
    this.active = false;
  }
}
