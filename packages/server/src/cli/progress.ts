/**
 * A one-line progress display on stderr: a bar redrawn in place on a terminal; on anything else
 * (a log, a cron mail) one line per phase and per tenth of it, so the output stays short.
 */
export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #phase = "";
  #lastTenth = -1;
  #quiet: boolean;

  constructor(out: NodeJS.WriteStream = process.stderr, quiet = false) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
    this.#quiet = quiet;
  }

  /** `done` of `total` units (pages, files, bytes) of `phase`. */
  update(phase: string, done: number, total: number, unit = "") {
    if (this.#quiet) return;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const text = `${phase} ${Math.round(frac * 100)}% (${done}/${total}${unit ? ` ${unit}` : ""})`;
    if (this.#tty) {
      const width = 24;
      const filled = Math.round(frac * width);
      this.#out.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\x1b[K`);
      if (frac === 1 && phase !== this.#phase) this.#phase = phase;
      return;
    }
    const tenth = Math.floor(frac * 10);
    if (phase !== this.#phase || tenth !== this.#lastTenth) {
      this.#phase = phase;
      this.#lastTenth = tenth;
      this.#out.write(`${text}\n`);
    }
  }

  /** Ends the bar's line. */
  done(message: string) {
    if (this.#quiet) return;
    this.#out.write(`${this.#tty ? "\r\x1b[K" : ""}${message}\n`);
  }
}
