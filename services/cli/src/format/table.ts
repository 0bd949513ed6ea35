import type { CliIo } from '../io.js';

const bold = (io: CliIo, text: string) => (io.color ? `\x1b[1m${text}\x1b[22m` : text);

const line = (cells: readonly string[], widths: readonly number[]) =>
  cells
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
    .join('  ')
    .trimEnd();

/** Rows under a header, each column as wide as its widest cell, two spaces apart; the last column ragged. */
export function formatTable(
  io: CliIo,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [bold(io, line(header, widths)), ...rows.map((r) => line(r, widths))].join('\n');
}

/**
 * A table printed row by row as rows arrive (`events tail`): columns start at the given widths and only
 * ever grow, so rows stay aligned with those before them as far as their values allow.
 */
export class StreamingTable {
  readonly #widths: number[];

  constructor(
    private readonly io: CliIo,
    private readonly header: readonly string[],
    minimumWidths: readonly number[],
  ) {
    this.#widths = header.map((h, i) => Math.max(h.length, minimumWidths[i] ?? 0));
  }

  printHeader(): void {
    this.io.out(bold(this.io, line(this.header, this.#widths)));
  }

  print(cells: readonly string[]): void {
    cells.forEach((cell, i) => {
      this.#widths[i] = Math.max(this.#widths[i] ?? 0, cell.length);
    });
    this.io.out(line(cells, this.#widths));
  }
}
