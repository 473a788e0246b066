/**
 * The HTML report's behaviour in the browser: sort on a heading click, filter on the text box and the status boxes.
 * It reads the rows lib/report/html.ts rendered (values in data-sort or the cell text) and never builds HTML from
 * data. html.ts inlines it compiled, through `import ... from './browser/reportScript?script'` (scriptModule.d.ts).
 *
 * Type-checked on its own (lib/report/browser/tsconfig.json: the DOM's types and no Node's), so that no Node code
 * sees browser globals and this script sees no Node ones.
 */

/** Wires the report table of `document` (rendered by html.ts) and shows the rows its filters allow. */
export default function startReportPage(document: Document): void {
  const table = document.getElementById('certs') as HTMLTableElement;
  const body = table.tBodies[0]!;
  const rows = Array.from(body.rows);
  const heads = Array.from(table.tHead!.rows[0]!.cells);
  const text = document.getElementById('filter-text') as HTMLInputElement;
  const boxes = Array.from(document.querySelectorAll<HTMLInputElement>('#filters input[name=status]'));
  const shown = document.getElementById('shown')!;

  function key(row: HTMLTableRowElement, col: number): string {
    const cell = row.cells[col]!;
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort')! : cell.textContent!;
  }

  function compare(a: HTMLTableRowElement, b: HTMLTableRowElement, col: number, numeric: boolean): number {
    const x = key(a, col);
    const y = key(b, col);
    if (numeric) {
      const nx = x === '' ? Infinity : Number(x);
      const ny = y === '' ? Infinity : Number(y);
      return nx === ny ? 0 : nx < ny ? -1 : 1;
    }
    const lx = x.toLowerCase();
    const ly = y.toLowerCase();
    return lx === ly ? 0 : lx < ly ? -1 : 1;
  }

  heads.forEach((th, col) => {
    th.querySelector('button')!.addEventListener('click', () => {
      const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      for (const head of heads) head.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      const numeric = th.getAttribute('data-type') === 'number';
      const sorted = rows
        .slice()
        .sort(
          (a, b) => dir * compare(a, b, col, numeric) || Number(a.dataset.index) - Number(b.dataset.index),
        );
      for (const row of sorted) body.appendChild(row);
    });
  });

  function applyFilter(): void {
    const needle = text.value.trim().toLowerCase();
    const allowed: Record<string, boolean> = {};
    for (const box of boxes) allowed[box.value] = box.checked;
    let visible = 0;
    for (const row of rows) {
      const show =
        allowed[row.dataset.status ?? ''] === true &&
        (needle === '' || row.textContent!.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !show;
      if (show) visible++;
    }
    shown.textContent = `${visible} of ${rows.length} shown`;
  }

  document.getElementById('filters')!.addEventListener('submit', (event) => event.preventDefault());
  text.addEventListener('input', applyFilter);
  for (const box of boxes) box.addEventListener('change', applyFilter);
  applyFilter();
}
