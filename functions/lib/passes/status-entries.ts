import type { IssuerStatusLists, StatusPurpose } from '#lib/credentials/status-list-store.ts';
import { HubError } from '#lib/errors.ts';
import type {
  StatusAllocationResponse,
  StatusEntryRequest,
  StatusEntryResponse,
} from '#lib/passes/contracts.ts';

/**
 * An issuer's own management of its status lists: drawing random indices for new credentials and
 * revoking or suspending (and reinstating) them. Only the issuer itself may touch its lists.
 */

/** 403: the caller asked about another issuer's status list. */
export class StatusListOwnerOnlyError extends HubError {
  readonly status = 403;
  readonly code = 'status-list-owner-only';
  readonly title = 'Only the issuer may manage its status list';
}

/** 409: a status change for an index the issuer was never given. */
export class StatusIndexUnallocatedError extends HubError {
  readonly status = 409;
  readonly code = 'status-index-unallocated';
  readonly title = 'Status index was never allocated';
}

/** 409: the index belongs to a licence, whose status bits follow the licence record. */
export class StatusIndexBoundToLicenceError extends HubError {
  readonly status = 409;
  readonly code = 'status-index-bound-to-licence';
  readonly title = 'Status index belongs to a licence';
}

/** What these use cases need of StatusListStore. */
export interface StatusListWriter {
  get(issuerId: string): Promise<IssuerStatusLists>;
  allocate(issuerId: string, count: number): Promise<number[]>;
  setStatus(issuerId: string, index: number, purpose: StatusPurpose, value: boolean): Promise<boolean>;
}

/** A status change as written to the audit log. */
export interface StatusAuditRecord {
  issuerId: string;
  index: number;
  purpose: StatusPurpose;
  value: boolean;
  changed: boolean;
  reason: string;
  correlationId: string;
}

function assertOwnList(callerId: string, issuerId: string): void {
  if (callerId !== issuerId) {
    throw new StatusListOwnerOnlyError(
      `partner ${callerId} may manage only its own status list (/v1/status-lists/${callerId}/…)`,
    );
  }
}

/** Hands the issuer `count` fresh random indices. */
export async function allocateStatusIndices(
  input: { callerId: string; issuerId: string; count: number },
  ports: { store: StatusListWriter },
): Promise<StatusAllocationResponse> {
  assertOwnList(input.callerId, input.issuerId);
  return { issuerId: input.issuerId, indices: await ports.store.allocate(input.issuerId, input.count) };
}

/**
 * Sets or clears one status bit of the issuer's list. The allocation is checked first, against a
 * consistent read (allocations are never undone, so a bit seen allocated stays allocated).
 */
export async function setStatusEntry(
  input: { callerId: string; issuerId: string; entry: StatusEntryRequest; correlationId: string },
  ports: { store: StatusListWriter; audit: (record: StatusAuditRecord) => void },
): Promise<StatusEntryResponse> {
  assertOwnList(input.callerId, input.issuerId);
  const { index, purpose, value, reason } = input.entry;
  const lists = await ports.store.get(input.issuerId);
  if (!lists.allocated.get(index)) {
    throw new StatusIndexUnallocatedError(
      `status index ${index} was never allocated to ${input.issuerId}; allocate indices with POST /v1/status-lists/${input.issuerId}/allocations`,
    );
  }
  if (lists.licences.get(index)) {
    // Flipping it here would make the published list disagree with the licence's own status.
    throw new StatusIndexBoundToLicenceError(
      `status index ${index} belongs to a licence; change it with POST /v1/licences/${input.issuerId}/{number}/status`,
    );
  }
  const changed = await ports.store.setStatus(input.issuerId, index, purpose, value);
  ports.audit({
    issuerId: input.issuerId,
    index,
    purpose,
    value,
    changed,
    reason,
    correlationId: input.correlationId,
  });
  return { issuerId: input.issuerId, index, purpose, value, changed };
}
