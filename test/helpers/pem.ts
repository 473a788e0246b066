/** PEM armour around any body, for tests that feed readers blocks that are not real keys or certificates. */
export function armour(label: string, body: string): string {
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** A BEGIN line of `label` and a body with no END line: a block cut short. */
export function cutShort(label: string, body: string): string {
  return `-----BEGIN ${label}-----\n${body}\n`;
}
