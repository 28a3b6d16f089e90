import { maskPhoneNumbers } from './mask-phone-numbers';

describe(maskPhoneNumbers.name, () => {
  it('keeps only the last four digits of E.164 numbers', () => {
    expect(maskPhoneNumbers('call from +14155550100 to 442071838750')).toBe(
      'call from ***0100 to ***8750',
    );
  });

  it('leaves ids, timestamps inside tokens and short numbers alone', () => {
    const text =
      'request 3f2a9c1e-1b2c-4d5e-8f90-123456789012 took 1234 ms, call CA1234567890abcdef';
    expect(maskPhoneNumbers(text)).toBe(text);
  });
});
