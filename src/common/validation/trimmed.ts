import { Transform } from 'class-transformer';

/** Strips surrounding whitespace before validation, so "   " is as empty as "". */
export const Trimmed = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
