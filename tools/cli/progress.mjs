// A one-line terminal progress bar: epoch, batch, loss, images/s and ETA. On a
// terminal it redraws in place; into a pipe or file it prints a line now and then.

const width = 28;

/** @param {number} s */
const clock = (s) =>
  s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;

export class ProgressBar {
  constructor(stream = process.stderr) {
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
    this.lastPrint = 0;
  }

  /** @param {{epoch: number, epochs: number | null, batch: number, batches: number, loss: number, accuracy: number, imagesPerSecond: number, etaSeconds: number}} p epochs null: a run bounded by time alone, its epoch shown without a count */
  update(p) {
    const fraction = p.batch / p.batches;
    const filled = Math.round(fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `epoch ${p.epoch}${p.epochs === null ? '' : `/${p.epochs}`} ${bar} ${String(p.batch).padStart(String(p.batches).length)}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${p.accuracy.toFixed(3)}  ${p.imagesPerSecond.toFixed(0)} img/s  ETA ${clock(p.etaSeconds)}`;
    if (this.tty) {
      this.stream.write(`\r${line}\x1b[K`);
    } else if (Date.now() - this.lastPrint > 10_000 || p.batch === p.batches) {
      this.lastPrint = Date.now();
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the bar's line and prints `text`. */
  log(text) {
    if (this.tty) this.stream.write('\r\x1b[K');
    this.stream.write(`${text}\n`);
  }
}
