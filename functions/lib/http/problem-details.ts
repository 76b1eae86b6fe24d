import { HubError } from '#lib/errors.ts';

/**
 * RFC 9457 problem documents. `type` URIs are stable identifiers partners branch on; they are
 * documented one by one in docs/protocol.md ("Error types").
 */
export const PROBLEM_TYPE_BASE = 'https://delta-hub.example/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Correlates the answer with the hub's logs; quote it when reporting a problem. */
  correlationId: string;
  [extension: string]: unknown;
}

export const problemType = (code: string): string => `${PROBLEM_TYPE_BASE}${code}`;

/** Longest `detail` and `instance` sent: both may quote caller input, which is not ours to bound. */
const MAX_DETAIL = 1_000;
const MAX_INSTANCE = 512;
export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** A known error becomes its own problem; anything else a generic 500 that reveals nothing. */
export function toProblem(error: unknown, correlationId: string, instance?: string): ProblemDocument {
  if (error instanceof HubError) {
    return {
      ...error.extensions,
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: clip(error.message, MAX_DETAIL),
      ...(instance === undefined ? {} : { instance: clip(instance, MAX_INSTANCE) }),
      correlationId,
    };
  }
  return {
    type: problemType('internal-error'),
    title: 'Internal error',
    status: 500,
    detail: 'The hub could not complete the request. Retry later; quote the correlationId if it persists.',
    ...(instance === undefined ? {} : { instance: clip(instance, MAX_INSTANCE) }),
    correlationId,
  };
}
