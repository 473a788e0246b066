/** A strict RFC 4180 reader for the CSV report tests: CRLF records, quoted fields, doubled quotes. */

/** Parses CSV text into rows of fields. Throws on anything RFC 4180 does not allow (a bare LF, a stray quote). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const fail = (what: string) => {
    throw new Error(`CSV: ${what} at offset ${i}`);
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          field += text[i];
          i++;
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') fail(`unquoted ${JSON.stringify(text[i])}`);
        field += text[i];
        i++;
      }
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else {
      fail('expected a comma or CRLF');
    }
  }
  if (row.length > 0) fail('last record without CRLF');
  return rows;
}

/** Undoes the report's formula neutralisation: a leading `'` before `= + - @`, tab or CR. */
export function unneutralise(field: string): string {
  return /^'[=+\-@\t\r]/.test(field) ? field.slice(1) : field;
}
