/** Progress output: a bar with rate and ETA on a terminal, plain lines otherwise. */
export class Progress {
  private readonly started = performance.now();
  private lastPrint = 0;
  private lastPercent = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, extra = ''): void {
    const now = performance.now();
    const elapsed = (now - this.started) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const percent = Math.floor((100 * done) / this.total);
    if (this.stream.isTTY) {
      if (now - this.lastPrint < 100 && done < this.total) return;
      const width = 30;
      const filled = Math.round((width * done) / this.total);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.stream.write(`\r${this.label} ${bar} ${done}/${this.total} ${rate.toFixed(1)}/s ETA ${formatSeconds(eta)} ${extra}\x1b[K`);
      if (done >= this.total) this.stream.write('\n');
    } else {
      // A line every 10% or every 10 s, and at the end.
      if (done < this.total && percent - this.lastPercent < 10 && now - this.lastPrint < 10_000) return;
      this.stream.write(`${this.label}: ${done}/${this.total} (${percent}%) ${rate.toFixed(2)}/s ETA ${formatSeconds(eta)} ${extra}\n`);
      this.lastPercent = percent;
    }
    this.lastPrint = now;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
