/**
 * A text for a Postgres LIKE/ILIKE pattern (Prisma's `contains` builds one) that matches itself
 * only: `%`, `_` and the escape character `\` are escaped, so a filter `?name=%` finds names
 * with a percent sign instead of every name.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
