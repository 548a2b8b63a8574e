/** Lay out rows as a plain-text table with a header rule; numeric-looking cells align right. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const numeric = (cell: string): boolean => /^-?[\d.]+( [A-Za-z]+|%)?$/.test(cell) || cell === 'n/a'
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column > 0 && numeric(cell) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd()

  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map((row) => line(row))].join('\n')
}
