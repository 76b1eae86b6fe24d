import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, SignatureError, ValidationError } from '#lib/errors.ts';
import { toProblem } from '#lib/http/problem-details.ts';
import { compileSchema } from '#lib/validation.ts';
import problemSchema from '#schemas/problem/v1.json' with { type: 'json' };

const contract = compileSchema(problemSchema);

describe('toProblem', () => {
  it('maps a known error to its own stable type and status', () => {
    const problem = toProblem(new SignatureError('nonce-replayed', 'jti used'), 'corr-1', '/v1/echo');
    expect(problem).toMatchObject({
      type: 'https://delta-hub.example/problems/nonce-replayed',
      status: 401,
      detail: 'jti used',
      instance: '/v1/echo',
      correlationId: 'corr-1',
    });
    expect(contract.check(problem)).toEqual([]);
  });

  it('lists field errors of a validation failure', () => {
    const problem = toProblem(
      new ValidationError('bad body', [{ pointer: '/message', detail: 'is required' }]),
      'corr-2',
    );
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ pointer: '/message', detail: 'is required' }]);
    expect(contract.check(problem)).toEqual([]);
  });

  it('says nothing about an unknown error but its correlation id', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:443 at /var/task/index.mjs:12');
    const problem = toProblem(secret, 'corr-3');
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('ECONNREFUSED');
    expect(JSON.stringify(problem)).not.toContain('index.mjs');
    expect(problem.correlationId).toBe('corr-3');
  });

  it('gives 413 its own type', () => {
    expect(toProblem(new PayloadTooLargeError('too big'), 'c').type).toMatch(/payload-too-large$/);
  });
});

describe('compileSchema field errors', () => {
  const echo = compileSchema({
    $id: 'https://delta-hub.example/schemas/test-echo/v1.json',
    type: 'object',
    required: ['message'],
    properties: { message: { type: 'string', maxLength: 5 } },
    additionalProperties: false,
  });

  it('points at missing, extra and invalid members', () => {
    expect(echo.check({})).toEqual([{ pointer: '/message', detail: 'is required' }]);
    expect(echo.check({ message: 'hi', extra: 1 })).toEqual([
      { pointer: '/extra', detail: 'is not allowed by the schema' },
    ]);
    expect(echo.check({ message: 'too long' })[0]?.pointer).toBe('/message');
    expect(echo.check({ message: 'ok' })).toEqual([]);
  });
});
