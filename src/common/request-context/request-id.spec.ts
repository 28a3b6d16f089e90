import type { IncomingMessage } from 'node:http';
import { resolveRequestId } from './request-id';

const withHeader = (value?: string) =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

describe(resolveRequestId.name, () => {
  it('keeps a well-formed caller id', () => {
    expect(resolveRequestId(withHeader('edge-7f3a9c21.42'))).toBe('edge-7f3a9c21.42');
  });

  it.each([
    ['missing', undefined],
    ['too short', 'abc'],
    ['log injection', 'abcdefgh\n{"level":60}'],
    ['spaces', 'abc def ghi'],
    ['too long', 'a'.repeat(200)],
  ])('generates a UUID when the header is %s', (_case, value) => {
    expect(resolveRequestId(withHeader(value))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
