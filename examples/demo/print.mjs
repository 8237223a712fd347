/**
 * Console helpers of the demo: section headings, a command echoed before its output, and
 * indented blocks, so the tour reads like a notebook.
 *
 * ```js
 * heading(1, "Tracing");   // "\n== 1. Tracing"
 * command("tfCube(2)");    // ">>> tfCube(2)"
 * ```
 */

/** Prints a numbered section title. */
export function heading(number, title) {
  console.log(`\n== ${number}. ${title}\n`);
}

/** Echoes a line of code the way a REPL shows it. */
export function command(code) {
  console.log(`>>> ${code}`);
}

/** Prints text indented by `spaces` (default 4). */
export function indented(text, spaces = 4) {
  const pad = " ".repeat(spaces);
  console.log(
    String(text)
      .split("\n")
      .map((line) => (line === "" ? line : pad + line))
      .join("\n"),
  );
}

/** Formats milliseconds with a precision that suits their size. */
export function ms(value) {
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}
