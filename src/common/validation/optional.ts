import { ValidateIf } from 'class-validator';

/**
 * An optional field that may be left out but not sent as `null`. class-validator's `@IsOptional()` skips `null`
 * too, and a `null` that reached a NOT NULL column was a 500 instead of a 422. Nullable fields keep
 * `@IsOptional()`.
 */
export const Optional = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
