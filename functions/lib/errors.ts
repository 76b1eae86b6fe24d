/**
 * The hub's error vocabulary. Every failure a caller can cause or observe is a `HubError` with a
 * stable `code`; the HTTP edge (`http/problem-details.ts`) is the only place that turns one into
 * an RFC 9457 problem. Anything that is not a `HubError` is a bug and becomes a generic 500.
 */

/** A field-level complaint, reported to the caller as RFC 6901 pointer + what is wrong. */
export interface FieldError {
  /** JSON Pointer into the request body (`""` for the body itself). */
  pointer: string;
  detail: string;
}

export interface HubErrorOptions {
  cause?: unknown;
  /** Extra RFC 9457 extension members, safe to show to the caller. */
  extensions?: Record<string, unknown>;
}

/** Base class: `code` is the stable problem slug, `status` the HTTP status it maps to. */
export abstract class HubError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Short, constant human title for the problem type. */
  abstract readonly title: string;
  readonly extensions: Record<string, unknown>;

  constructor(message: string, options: HubErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.extensions = options.extensions ?? {};
  }
}

/** Which check of the signed-request protocol failed. Each is its own problem type. */
export type SignatureCheck =
  | 'signature-missing'
  | 'signature-malformed'
  | 'algorithm-rejected'
  | 'partner-unknown'
  | 'key-unknown'
  | 'key-not-yet-valid'
  | 'key-expired'
  | 'signature-invalid'
  | 'method-mismatch'
  | 'target-mismatch'
  | 'iat-outside-window'
  | 'nonce-replayed';

/** 401: the request's signature did not pass; `check` says which step failed. */
export class SignatureError extends HubError {
  readonly status = 401;
  readonly title = 'Request signature rejected';
  readonly code: SignatureCheck;

  constructor(check: SignatureCheck, message: string, options: HubErrorOptions = {}) {
    super(message, options);
    this.code = check;
  }
}

/** 403: the caller is authenticated but may not do this (suspended, or a role the route does not admit). */
export class ForbiddenError extends HubError {
  readonly status = 403;
  readonly title: string;
  readonly code: 'partner-suspended' | 'role-forbidden';

  constructor(code: 'partner-suspended' | 'role-forbidden', message: string, options: HubErrorOptions = {}) {
    super(message, options);
    this.code = code;
    this.title = code === 'partner-suspended' ? 'Partner suspended' : 'Role not allowed for this operation';
  }
}

/** 400: the body is not valid JSON or does not match the route's schema. */
export class ValidationError extends HubError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = 'Request body failed validation';
  readonly errors: FieldError[];

  constructor(message: string, errors: FieldError[], options: HubErrorOptions = {}) {
    super(message, { ...options, extensions: { ...options.extensions, errors } });
    this.errors = errors;
  }
}

/** 400: the body is not parseable JSON at all. */
export class MalformedBodyError extends HubError {
  readonly status = 400;
  readonly code = 'malformed-body';
  readonly title = 'Request body is not valid JSON';
}

/** 413: the body is larger than the hub accepts; refused before it is parsed or verified. */
export class PayloadTooLargeError extends HubError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Request body too large';
}

/** 415: a body arrived with a media type other than JSON. */
export class UnsupportedMediaTypeError extends HubError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

/** 404: no such resource (or none the caller may see). */
export class NotFoundError extends HubError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
}

/** 409: the request conflicts with the current state (e.g. a concurrent registry update). */
export class ConflictError extends HubError {
  readonly status = 409;
  readonly code = 'conflict';
  readonly title = 'Conflict with current state';
}
