import { ValidationError } from '../errors/domain-error';
import { decodeCursor, encodeCursor } from './cursor';

describe(decodeCursor.name, () => {
  const position = { at: new Date('2026-11-25T10:00:00.123Z'), id: crypto.randomUUID() };
  const forged = (text: string) => Buffer.from(text).toString('base64url');

  it('reads back what encodeCursor wrote', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['no separator', forged('2026-11-25T10:00:00.123Z')],
    ['a date that is not one', forged(`yesterday|${position.id}`)],
    // 36 characters of the right alphabet that PostgreSQL would still refuse as a uuid
    ['an id that is not a uuid', forged(`2026-11-25T10:00:00.123Z|${'a'.repeat(36)}`)],
    ['dashes in the wrong places', forged(`2026-11-25T10:00:00.123Z|${'-'.repeat(36)}`)],
    ['not base64url at all', '%%%'],
  ])('refuses a cursor with %s as a validation error', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(ValidationError);
  });
});
