/**
 * Typed configuration read from the environment once, at cold start. A missing or malformed
 * variable fails the cold start with a message naming it, rather than failing a request later.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`environment variable ${name} is required but not set`);
  }
  return value;
}

export function integerEnv(name: string, fallback: number, bounds: { min: number; max: number }): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigError(`${name} must be an integer from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

export function jsonEnv<T>(name: string, isValid: (value: unknown) => value is T, expected: string): T {
  const raw = requireEnv(name);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(`${name} must be JSON (${expected})`, { cause });
  }
  if (!isValid(value)) throw new ConfigError(`${name} must be ${expected}`);
  return value;
}
