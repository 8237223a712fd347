/**
 * The Keras progress display. `verbose: 1`: an `Epoch i/n` header and a per-batch bar with
 * ETA, loss and metrics, redrawn in place on a TTY (at most every 50 ms) and printed once
 * per epoch, complete, on anything else, so logs never flood. `verbose: 2`: one line per
 * epoch. `verbose: 0`: nothing. Output goes to a `ProgressWriter` (process.stdout in Node,
 * console.log elsewhere).
 *
 * ```text
 * Epoch 1/3
 * 1875/1875 [==============================] - 41s 22ms/step - loss: 0.4411 - accuracy: 0.8425 - val_loss: 0.3601
 * ```
 */
import { Callback, type Logs } from "./callback.js";

/** Where progress goes: a stream-like writer and whether it is an interactive terminal. */
export interface ProgressWriter {
  readonly isTTY: boolean;
  write(text: string): void;
}

/** process.stdout when running in Node, else a writer that prints whole lines with console.log. */
export function defaultProgressWriter(): ProgressWriter {
  const stdout = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): boolean } } }).process?.stdout;
  if (stdout !== undefined) return { isTTY: stdout.isTTY === true, write: (s) => void stdout.write(s) };
  let pending = "";
  return {
    isTTY: false,
    write: (s) => {
      pending += s;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) console.log(line);
    },
  };
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

function formatDuration(seconds: number): string {
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
  return `${Math.round(seconds)}s`;
}

/** Formats logs as ` - loss: 0.1234 - accuracy: 0.9000`. */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${formatValue(v)}`)
    .join("");
}

/** A Keras-style bar `12/100 [==>.....]` of `width` characters. */
export function formatBar(current: number, total: number | undefined, width = 30): string {
  if (total === undefined) return `${current}/Unknown`;
  const digits = String(total).length;
  const filled = Math.floor((width * Math.min(current, total)) / total);
  const bar = current >= total ? "=".repeat(width) : `${"=".repeat(Math.max(filled - 1, 0))}>${".".repeat(width - Math.max(filled, 1))}`;
  return `${String(current).padStart(digits)}/${total} [${bar}]`;
}

/** The progress bar callback `fit` adds for `verbose` 1 and 2. */
export class ProgressBar extends Callback {
  readonly verbose: number;
  readonly writer: ProgressWriter;
  #epochStart = 0;
  #lastDraw = 0;
  #seen = 0;

  constructor(verbose: number, writer: ProgressWriter = defaultProgressWriter()) {
    super();
    this.verbose = verbose;
    this.writer = writer;
    // Batch redraws only on a terminal with verbose 1: anywhere else the bar is printed once per epoch.
    if (verbose === 1 && writer.isTTY) this.onBatchEnd = (batch, logs) => this.drawBatch(batch, logs);
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.#epochStart = performance.now();
    this.#lastDraw = 0;
    this.#seen = 0;
    if (this.verbose === 1) this.writer.write(`Epoch ${epoch + 1}/${this.params?.epochs ?? "?"}\n`);
  }

  private async drawBatch(batch: number, logs: Logs = {}): Promise<void> {
    this.#seen = batch + 1;
    const now = performance.now();
    const total = this.params?.steps;
    if (now - this.#lastDraw < 50 && (total === undefined || this.#seen < total)) return;
    this.#lastDraw = now;
    const elapsed = (now - this.#epochStart) / 1000;
    const eta = total === undefined ? "" : ` - ETA: ${formatDuration((elapsed / this.#seen) * (total - this.#seen))}`;
    this.writer.write(`\r${formatBar(this.#seen, total)}${eta}${formatLogs(logs)}\x1b[K`);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const steps = this.params?.steps ?? this.#seen;
    const seconds = (performance.now() - this.#epochStart) / 1000;
    const perStep = steps > 0 ? ` ${Math.round((seconds * 1000) / steps)}ms/step` : "";
    if (this.verbose === 1) {
      const prefix = this.writer.isTTY ? "\r" : "";
      this.writer.write(
        `${prefix}${formatBar(steps, steps)} - ${formatDuration(seconds)}${perStep}${formatLogs(logs)}${this.writer.isTTY ? "\x1b[K" : ""}\n`,
      );
    } else if (this.verbose === 2) {
      this.writer.write(
        `Epoch ${epoch + 1}/${this.params?.epochs ?? "?"} - ${steps}/${steps} - ${formatDuration(seconds)}${perStep}${formatLogs(logs)}\n`,
      );
    }
  }
}
