import { ValidationError } from '../errors/domain-error';
import { UUID_PATTERN } from '../validation/patterns';

/** Keyset cursor over (timestamp, id): opaque to clients, stable under inserts. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !UUID_PATTERN.test(id)) {
    throw new ValidationError('Invalid cursor', {
      fields: [{ field: 'cursor', errors: ['is not a cursor this API issued'] }],
    });
  }
  return { at: date, id };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells whether there is a next page. */
export function toPage<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => KeysetPosition,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}
