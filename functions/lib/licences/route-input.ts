import { ValidationError } from '#lib/errors.ts';
import type { HttpEvent } from '#lib/http/signed-route.ts';
import type { Validator } from '#lib/validation.ts';

/**
 * Path and query parameters of a request, checked against their contract like a body is.
 * API Gateway (and the local gateway, which behaves the same) hands path parameters over
 * percent-decoded: a licence number arrives as `沪交运管许可浦字310115000001号`.
 */
export function pathParameters<T>(event: HttpEvent, contract: Validator<T>): T {
  return checked(event.pathParameters ?? {}, contract, 'path parameters');
}

export function queryParameters<T>(event: HttpEvent, contract: Validator<T>): T {
  return checked(event.queryStringParameters ?? {}, contract, 'query parameters');
}

function checked<T>(value: unknown, contract: Validator<T>, what: string): T {
  const errors = contract.check(value);
  if (errors.length > 0) throw new ValidationError(`${what} do not match ${contract.schemaId}`, errors);
  return value as T;
}
