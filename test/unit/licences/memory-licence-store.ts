import { LicenceConcurrentChangeError } from '#lib/licences/licence-errors.ts';
import type { HistoryEntry } from '#lib/licences/licence-state.ts';
import type {
  LicenceChange,
  LicenceHead,
  LicenceStore,
  LicenceVersionRecord,
  RecognitionEvent,
  RecognitionPage,
  RecognitionQuery,
} from '#lib/licences/licence-store.ts';

/** The LicenceStore port in memory, with the same conditional-write semantics as the table. */
export class MemoryLicenceStore implements LicenceStore {
  readonly heads = new Map<string, LicenceHead>();
  readonly versions = new Map<string, LicenceVersionRecord>();
  readonly histories = new Map<string, HistoryEntry[]>();
  readonly events: RecognitionEvent[] = [];
  /** Runs just before a commit is applied: lets a test slip in a concurrent change. */
  beforeCommit?: () => void;

  private key = (issuerId: string, licenceNo: string) => `${issuerId}#${licenceNo}`;

  async head(issuerId: string, licenceNo: string): Promise<LicenceHead | undefined> {
    const head = this.heads.get(this.key(issuerId, licenceNo));
    return head && structuredClone(head);
  }

  async version(
    issuerId: string,
    licenceNo: string,
    version: number,
  ): Promise<LicenceVersionRecord | undefined> {
    return this.versions.get(`${this.key(issuerId, licenceNo)}#${version}`);
  }

  async commit(change: LicenceChange): Promise<void> {
    const hook = this.beforeCommit;
    this.beforeCommit = undefined;
    hook?.();
    const key = this.key(change.head.issuerId, change.head.licenceNo);
    const current = this.heads.get(key);
    const fresh =
      change.expectedRevision === undefined
        ? current === undefined
        : current?.revision === change.expectedRevision;
    const versionKey = change.version ? `${key}#${change.version.version}` : undefined;
    if (!fresh || (versionKey && this.versions.has(versionKey))) {
      throw new LicenceConcurrentChangeError('changed concurrently');
    }
    this.heads.set(key, structuredClone(change.head));
    if (change.version && versionKey) this.versions.set(versionKey, structuredClone(change.version));
    const history = this.histories.get(key) ?? [];
    history.push(structuredClone(change.history));
    this.histories.set(key, history);
  }

  async stateAt(issuerId: string, licenceNo: string, at: Date): Promise<HistoryEntry | undefined> {
    const history = this.histories.get(this.key(issuerId, licenceNo)) ?? [];
    return [...history]
      .sort((a, b) => (a.at === b.at ? a.seq - b.seq : a.at < b.at ? -1 : 1))
      .filter((entry) => Date.parse(entry.at) <= at.getTime())
      .at(-1);
  }

  async recordRecognition(event: RecognitionEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }

  async recognitions(query: RecognitionQuery): Promise<RecognitionPage> {
    const offset = query.cursor === undefined ? 0 : Number(query.cursor);
    const matching = this.events
      .filter(
        (event) =>
          event.issuerId === query.issuerId &&
          (query.licenceNo === undefined || event.licenceNo === query.licenceNo) &&
          Date.parse(event.verifiedAt) >= query.from.getTime() &&
          Date.parse(event.verifiedAt) < query.to.getTime(),
      )
      .sort((a, b) => (a.verifiedAt < b.verifiedAt ? -1 : 1));
    const items = matching.slice(offset, offset + query.limit);
    return offset + query.limit < matching.length
      ? { items, cursor: String(offset + query.limit) }
      : { items };
  }
}
