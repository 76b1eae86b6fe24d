import { type FieldError, HubError, type HubErrorOptions } from '#lib/errors.ts';

/**
 * Problems of the e-licence routes. Each has its own stable `code`, so a partner can branch on
 * the problem `type` (`https://delta-hub.example/problems/<code>`) rather than on a status code.
 * Verification outcomes are not errors: `POST /v1/licences/verify` answers a bad licence with a
 * 200 `rejected` decision and a reason (see licence-document.ts).
 */

/** 403: the caller is not the issuer of the licence it tries to publish, change or audit. */
export class LicenceNotIssuerError extends HubError {
  readonly status = 403;
  readonly code = 'licence-not-issuer';
  readonly title = 'Only the issuing partner may do this';
}

/**
 * 403: the caller is the issuer the licence names, but the issuing authority it names (its
 * division, or the registration division in its USCC) is outside the caller's jurisdiction in the
 * trust registry: a province publishing a licence in another province's name. Its own type, not
 * `licence-not-issuer`: the caller did sign as itself, and the fix is in the licence's issuer
 * fields (or in the registry), not in who calls. `errors` point into the licence payload.
 */
export class LicenceOutsideJurisdictionError extends HubError {
  readonly status = 403;
  readonly code = 'licence-outside-jurisdiction';
  readonly title = "Licence issued outside the publisher's jurisdiction";
}

/** 404: no licence with this issuer and number has been published. */
export class LicenceNotFoundError extends HubError {
  readonly status = 404;
  readonly code = 'licence-not-found';
  readonly title = 'Licence not found';
}

/**
 * 400: the licence payload breaks its type's schema or a check the schema cannot express.
 * `errors` point into the licence payload (the JWS payload), not into the request body.
 */
export class LicenceInvalidError extends HubError {
  readonly status = 400;
  readonly code = 'licence-invalid';
  readonly title = 'Licence payload is invalid';
  readonly errors: FieldError[];

  constructor(message: string, errors: FieldError[], options: HubErrorOptions = {}) {
    super(message, { ...options, extensions: { ...options.extensions, errors } });
    this.errors = errors;
  }
}

/**
 * 400: the document is not a licence document the hub can accept: malformed compact JWS, wrong
 * `typ`, unknown key, bad signature, suspended issuer… The detail names the credential reason.
 */
export class LicenceDocumentRejectedError extends HubError {
  readonly status = 400;
  readonly code = 'licence-document-rejected';
  readonly title = 'Licence document rejected';
}

/** 409: the version is not the next one, or the same version was already published differently. */
export class LicenceVersionConflictError extends HubError {
  readonly status = 409;
  readonly code = 'licence-version-conflict';
  readonly title = 'Licence version conflict';
}

/** 409: the licence is revoked, which is final: no new version, reinstatement, renewal or suspension. */
export class LicenceRevokedError extends HubError {
  readonly status = 409;
  readonly code = 'licence-revoked';
  readonly title = 'Licence is revoked';
}

/** 409: a renewal that would not extend the licence's validity. */
export class LicenceRenewalError extends HubError {
  readonly status = 409;
  readonly code = 'licence-renewal-invalid';
  readonly title = 'Renewal does not extend validity';
}

/** 409: another change of the same licence won the race; read again and retry. */
export class LicenceConcurrentChangeError extends HubError {
  readonly status = 409;
  readonly code = 'licence-changed-concurrently';
  readonly title = 'Licence changed concurrently';
}
