import {
  isCredentialKey,
  redactLogArguments,
  redactLogFields,
  redactLogObject,
  redactText,
} from './log-redaction';

describe(isCredentialKey.name, () => {
  it.each([
    'password',
    'newPassword',
    'token',
    'refreshToken',
    'streamToken',
    'authToken',
    'secret',
    'webhookSecret',
    'apiKey',
    'x-api-key',
    'authorization',
    'cookie',
    'set-cookie',
    'x-twilio-signature',
    'telnyx-signature-ed25519',
    'stripe-signature',
  ])('treats %s as a credential', (key) => {
    expect(isCredentialKey(key)).toBe(true);
  });

  it.each(['callId', 'promptTokens', 'maxTokens', 'status', 'from', 'keyId'])(
    'leaves %s alone',
    (key) => {
      expect(isCredentialKey(key)).toBe(false);
    },
  );
});

describe(redactText.name, () => {
  it('redacts the password of URLs and masks phone numbers', () => {
    expect(
      redactText(
        'connect postgres://admin:hunter2@db:5432/x failed; redis://:pw@r:6379 too, call +14155550100',
      ),
    ).toBe(
      'connect postgres://admin:[redacted]@db:5432/x failed; redis://:[redacted]@r:6379 too, call ***0100',
    );
  });

  it('leaves URLs without a password alone', () => {
    const text = 'see https://example.com/a@b and postgres://admin@db/x';
    expect(redactText(text)).toBe(text);
  });
});

describe(redactLogObject.name, () => {
  it('masks phone numbers in strings at any depth without touching other values', () => {
    expect(
      redactLogObject({ from: '+14155550100', count: 3, nested: [{ to: '+442071838750' }] }),
    ).toEqual({ from: '***0100', count: 3, nested: [{ to: '***8750' }] });
  });

  it('replaces credentials at any depth and leaves the logged object as it was', () => {
    const logged = {
      user: { email: 'a@example.com', password: 'hunter22' },
      headers: { authorization: 'Bearer abc', 'x-request-id': 'r1' },
      tokens: [{ refreshToken: 'rt' }],
      apiKey: null,
    };

    expect(redactLogObject(logged)).toEqual({
      user: { email: 'a@example.com', password: '[redacted]' },
      headers: { authorization: '[redacted]', 'x-request-id': 'r1' },
      tokens: [{ refreshToken: '[redacted]' }],
      apiKey: null,
    });
    expect(logged.user.password).toBe('hunter22');
  });

  it('writes placeholders for cycles and for what lies too deep', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { secret: 's' };
    for (let i = 0; i < 10; i++) deep = { next: deep };

    expect(redactLogObject(cyclic)).toEqual({ name: 'a', self: '[circular]' });
    const shared = { digits: 4 };
    expect(redactLogObject({ from: shared, to: shared })).toEqual({
      from: { digits: 4 },
      to: { digits: 4 },
    });
    expect(JSON.stringify(redactLogObject(deep))).not.toContain('"s"');
    expect(JSON.stringify(redactLogObject(deep))).toContain('[too deep]');
  });
});

describe(redactLogFields.name, () => {
  it('leaves req, res and err to their serializers and redacts the other fields', () => {
    const req = { headers: { authorization: 'Bearer abc' } };
    const err = new Error('boom');

    const sut = redactLogFields({ req, err, token: 'sk_live', caller: { phone: '+14155550100' } });

    expect(sut.req).toBe(req);
    expect(sut.err).toBe(err);
    expect(sut).toMatchObject({ token: '[redacted]', caller: { phone: '***0100' } });
  });

  it('writes ids as they are, even all digits', () => {
    expect(redactLogFields({ requestId: '14155550100', msg: 'from +14155550100' })).toEqual({
      requestId: '14155550100',
      msg: 'from ***0100',
    });
  });
});

describe(redactLogArguments.name, () => {
  const error = new Error('cannot reach postgres://app:hunter2@db');

  it('redacts message strings and leaves objects to the formatter', () => {
    const fields = { context: 'Calls' };
    expect(redactLogArguments([fields, 'call from +14155550100'])).toEqual([
      fields,
      'call from ***0100',
    ]);
  });

  it('gives an error logged without a message its redacted message', () => {
    expect(redactLogArguments([error])).toEqual([
      error,
      'cannot reach postgres://app:[redacted]@db',
    ]);
    expect(redactLogArguments([{ err: error }])[1]).toBe(
      'cannot reach postgres://app:[redacted]@db',
    );
    // as Nest's Logger calls it: an explicit undefined message
    expect(redactLogArguments([{ context: 'X', err: error }, undefined])[1]).toBe(
      'cannot reach postgres://app:[redacted]@db',
    );
  });
});
