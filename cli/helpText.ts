/** How `certwatch help` lays out its text: paragraphs filled up to one width, continuation lines indented. */

/** The width help's lines are filled up to. */
export const HELP_WIDTH = 110;

/**
 * `text` as help prints a description: lines filled up to `width` characters, each starting with `indent`, the
 * first with `first` instead when given (a setting's name, padded to the description's column). A word longer
 * than a line gets a line of its own.
 */
export function helpParagraph(
  text: string,
  indent = '      ',
  width = HELP_WIDTH,
  first: string = indent,
): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const start = lines.length === 0 ? first : indent;
    if (line !== '' && start.length + line.length + 1 + word.length > width) {
      lines.push(start + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push((lines.length === 0 ? first : indent) + line);
  return lines.join('\n');
}
