import { UUID_PATTERN } from '../../domain/ids/uuid';
import { Problems } from '../../domain/problems/problems';

/** Opaque cursors for id-ordered listings: the last id of a page. */
export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID_PATTERN.test(id)) {
    throw Problems.validation([{ field: 'cursor', message: 'not a cursor this API handed out' }]);
  }
  return id;
}
