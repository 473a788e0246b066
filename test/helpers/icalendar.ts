/** An iCalendar (RFC 5545) reader for the ICS report tests: unfolds lines, splits components, unescapes TEXT. */

export interface IcsProperty {
  name: string;
  params: Record<string, string>;
  value: string;
}

export interface IcsComponent {
  type: string;
  properties: IcsProperty[];
  components: IcsComponent[];
}

/** Content lines after unfolding (CRLF followed by one space or tab continues the line). Requires CRLF. */
export function unfold(text: string): string[] {
  if (!text.endsWith('\r\n')) throw new Error('ICS: last line without CRLF');
  if (/[^\r]\n/.test(text)) throw new Error('ICS: bare LF');
  return text
    .slice(0, -2)
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n');
}

export function parseIcs(text: string): IcsComponent {
  const stack: IcsComponent[] = [];
  let root: IcsComponent | undefined;
  for (const line of unfold(text)) {
    const property = parseLine(line);
    if (property.name === 'BEGIN') {
      const component: IcsComponent = { type: property.value, properties: [], components: [] };
      stack.at(-1)?.components.push(component);
      stack.push(component);
    } else if (property.name === 'END') {
      const done = stack.pop();
      if (done?.type !== property.value) throw new Error(`ICS: END:${property.value} closes ${done?.type}`);
      if (stack.length === 0) root = done;
    } else {
      const current = stack.at(-1);
      if (!current) throw new Error(`ICS: property outside a component: ${line}`);
      current.properties.push(property);
    }
  }
  if (!root || stack.length > 0) throw new Error('ICS: unbalanced components');
  return root;
}

function parseLine(line: string): IcsProperty {
  // Parameter values here are never quoted, so the first ':' ends the name and parameters.
  const colon = line.indexOf(':');
  if (colon < 0) throw new Error(`ICS: no ':' in ${line}`);
  const [name, ...params] = line.slice(0, colon).split(';');
  return {
    name: name!,
    params: Object.fromEntries(params.map((p) => p.split('=') as [string, string])),
    value: line.slice(colon + 1),
  };
}

/** The value of a property, or throws if it is missing or repeated. */
export function prop(component: IcsComponent, name: string): IcsProperty {
  const found = component.properties.filter((p) => p.name === name);
  if (found.length !== 1) throw new Error(`ICS: ${found.length} ${name} in ${component.type}`);
  return found[0]!;
}

/** RFC 5545 §3.3.11 TEXT: `\\`, `\;`, `\,`, `\n`/`\N`. Throws on an unescaped `;` or `,` or an unknown escape. */
export function unescapeText(value: string): string {
  return value.replace(/\\(.)|[;,]/g, (match, escaped: string | undefined) => {
    if (escaped === undefined) throw new Error(`ICS: unescaped ${match} in ${value}`);
    if (escaped === 'n' || escaped === 'N') return '\n';
    if (escaped === '\\' || escaped === ';' || escaped === ',') return escaped;
    throw new Error(`ICS: unknown escape \\${escaped}`);
  });
}
