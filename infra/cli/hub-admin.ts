import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { JWK } from 'jose';
import {
  LOCAL_PREFIX,
  outboxQueueName,
  physicalQueueName,
  physicalTableName,
  queues,
} from '#infra/topology.ts';
import { documentClient } from '#lib/aws/clients.ts';
import { publishIssuingKeys, type SubmittedIssuingKey } from '#lib/credentials/issuing-key-set.ts';
import type { IssuingKey } from '#lib/credentials/issuing-keys.ts';
import { HubError } from '#lib/errors.ts';
import { redrive } from '#lib/outbox/redrive.ts';
import {
  addPartnerKey,
  PartnerAdminError,
  registerPartner,
  retirePartnerKey,
  setPartnerDivision,
  setPartnerEndpoint,
  setPartnerStatus,
} from '#lib/registry/partner-admin.ts';
import { InvalidPartnerKeyError } from '#lib/registry/partner-keys.ts';
import { RegistryStore } from '#lib/registry/registry-store.ts';

/**
 * Operator commands for the trust registry and the partner queues:
 *
 *   npm run hub-admin -- list
 *   npm run hub-admin -- show <partner>
 *   npm run hub-admin -- register <partner> --name <n> --roles province,verifier --jwk key.json [--division 320000] [--endpoint URL] [--not-before ISO]
 *     (--division, the GB/T 2260 code of the partner's jurisdiction, is required with the credential-issuer role)
 *   npm run hub-admin -- set-division <partner> <GB/T 2260 code>
 *   npm run hub-admin -- add-key <partner> --jwk key.json [--not-before ISO] [--not-after ISO]
 *   npm run hub-admin -- retire-key <partner> <kid> [--at ISO]
 *   npm run hub-admin -- suspend|reinstate <partner> --reason "…"
 *   npm run hub-admin -- set-endpoint <partner> <URL>
 *   npm run hub-admin -- issuing-keys <partner>
 *   npm run hub-admin -- add-issuing-key <partner> --jwk key.json [--not-before ISO] [--not-after ISO] [--sm2-user-id ID]
 *   npm run hub-admin -- compromise-issuing-key <partner> <kid>
 *   npm run hub-admin -- trust-list [--since N]
 *   npm run hub-admin -- queues
 *   npm run hub-admin -- redrive <partner> [--max N]
 *
 * Resources are found by prefix: HUB_PREFIX (default `delta-hub-local`, what `npm start` creates;
 * the deployed stack uses `delta-hub`). AWS_ENDPOINT_URL selects an emulator.
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    roles: { type: 'string' },
    jwk: { type: 'string' },
    endpoint: { type: 'string' },
    division: { type: 'string' },
    'not-before': { type: 'string' },
    'not-after': { type: 'string' },
    at: { type: 'string' },
    reason: { type: 'string' },
    max: { type: 'string' },
    'sm2-user-id': { type: 'string' },
    since: { type: 'string' },
  },
});
const prefix = process.env.HUB_PREFIX ?? LOCAL_PREFIX;
const [command, ...args] = positionals;

const registry = () => new RegistryStore(documentClient(), physicalTableName(prefix, 'registry'));
const need = (value: string | undefined, what: string): string => {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
};
const readJwk = (path: string | undefined): JWK =>
  JSON.parse(readFileSync(need(path, '--jwk <file>'), 'utf8')) as JWK;
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

class UsageError extends Error {}

const positiveInteger = (value: string, what: string): number => {
  const number = /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number > 0)) throw new UsageError(`${what} must be a positive integer, got "${value}"`);
  return number;
};

async function main(): Promise<void> {
  switch (command) {
    case 'list':
      for (const partner of await registry().list()) {
        const live = partner.apiKeys.filter((key) => !key.notAfter || Date.parse(key.notAfter) > Date.now());
        console.log(
          `${partner.partnerId.padEnd(24)} ${partner.status.padEnd(10)} ${(partner.divisionCode ?? '-').padEnd(7)} ${partner.roles.join(',').padEnd(44)} keys: ${live.map((key) => key.kid).join(', ')}`,
        );
      }
      return;
    case 'show':
      print((await registry().get(need(args[0], '<partner>'))) ?? `no partner ${args[0]}`);
      return;
    case 'register':
      print(
        await registerPartner(registry(), {
          partnerId: need(args[0], '<partner>'),
          name: need(values.name, '--name'),
          roles: need(values.roles, '--roles').split(','),
          keys: [readJwk(values.jwk)],
          ...(values.division ? { divisionCode: values.division } : {}),
          ...(values.endpoint ? { endpoint: values.endpoint } : {}),
          ...(values['not-before'] ? { notBefore: values['not-before'] } : {}),
        }),
      );
      return;
    case 'add-key':
      print(
        await addPartnerKey(registry(), need(args[0], '<partner>'), readJwk(values.jwk), {
          notBefore: values['not-before'] ?? new Date().toISOString(),
          ...(values['not-after'] ? { notAfter: values['not-after'] } : {}),
        }),
      );
      return;
    case 'retire-key':
      print(
        await retirePartnerKey(
          registry(),
          need(args[0], '<partner>'),
          need(args[1], '<kid>'),
          values.at ? new Date(values.at) : new Date(),
        ),
      );
      return;
    case 'suspend':
    case 'reinstate':
      print(
        await setPartnerStatus(
          registry(),
          need(args[0], '<partner>'),
          command === 'suspend' ? 'suspended' : 'active',
          need(values.reason, '--reason'),
        ),
      );
      return;
    case 'set-division':
      print(await setPartnerDivision(registry(), need(args[0], '<partner>'), need(args[1], '<code>')));
      return;
    case 'set-endpoint':
      print(await setPartnerEndpoint(registry(), need(args[0], '<partner>'), need(args[1], '<URL>')));
      return;
    case 'issuing-keys': {
      const partnerId = need(args[0], '<partner>');
      const partner = await registry().get(partnerId);
      if (!partner) throw new UsageError(`no partner ${partnerId}`);
      print(partner.issuingKeys ?? []);
      return;
    }
    case 'add-issuing-key':
    case 'compromise-issuing-key': {
      // Operator parity with PUT /v1/issuers/{id}/keys: the same use case and rules.
      const partnerId = need(args[0], '<partner>');
      const store = registry();
      const current = (await store.get(partnerId))?.issuingKeys ?? [];
      const request =
        command === 'add-issuing-key'
          ? {
              keys: [
                ...current.map(asSubmitted),
                {
                  jwk: readJwk(values.jwk),
                  notBefore: values['not-before'] ?? new Date().toISOString(),
                  ...(values['not-after'] ? { notAfter: values['not-after'] } : {}),
                  ...(values['sm2-user-id'] === undefined ? {} : { sm2UserId: values['sm2-user-id'] }),
                },
              ],
            }
          : {
              keys: current.filter((key) => key.kid !== need(args[1], '<kid>')).map(asSubmitted),
              compromised: [need(args[1], '<kid>')],
            };
      print(await publishIssuingKeys(store, partnerId, request));
      return;
    }
    case 'trust-list': {
      const log = registry().trustList;
      const head = await log.head();
      const since = values.since === undefined ? Math.max(0, head.version - 20) : Number(values.since);
      print({ ...head, changes: await log.changes(since, head.version) });
      return;
    }
    case 'queues':
      await showQueues();
      return;
    case 'redrive': {
      const partnerId = need(args[0], '<partner>');
      const queue = queues().find((candidate) => candidate.partnerId === partnerId);
      if (!queue) throw new UsageError(`partner ${partnerId} has no outbox queue`);
      // Checked before touching any queue: `--max abc` is a usage error, not a silent NaN.
      const max = values.max === undefined ? undefined : positiveInteger(values.max, '--max');
      const sqs = sqsClient();
      const result = await redrive(
        sqs,
        {
          dlqUrl: await queueUrl(sqs, queue.dlq.name, queue.fifo),
          sourceUrl: await queueUrl(sqs, outboxQueueName(partnerId), queue.fifo),
        },
        { fifo: queue.fifo, ...(max === undefined ? {} : { max }) },
      );
      console.log(
        `moved ${result.moved} message(s) from ${queue.dlq.name} back to ${queue.name} (the DLQ held about ${result.held} when the run started; anything that failed again during the run waits for the next one)`,
      );
      return;
    }
    default:
      throw new UsageError(`unknown command "${command ?? ''}"`);
  }
}

const asSubmitted = (key: IssuingKey): SubmittedIssuingKey => ({
  jwk: key.jwk,
  notBefore: key.notBefore,
  ...(key.notAfter === undefined ? {} : { notAfter: key.notAfter }),
  ...(key.sm2UserId === undefined ? {} : { sm2UserId: key.sm2UserId }),
});

const sqsClient = () =>
  new SQSClient(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {});

async function queueUrl(sqs: SQSClient, name: string, fifo: boolean): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: physicalQueueName(prefix, name, fifo) }),
  );
  return QueueUrl as string;
}

async function showQueues(): Promise<void> {
  const sqs = sqsClient();
  for (const queue of queues()) {
    const depth = async (name: string) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: await queueUrl(sqs, name, queue.fifo),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return `${Attributes?.ApproximateNumberOfMessages ?? '?'} waiting, ${Attributes?.ApproximateNumberOfMessagesNotVisible ?? '?'} in flight`;
    };
    console.log(`${queue.name.padEnd(34)} ${await depth(queue.name)}   DLQ: ${await depth(queue.dlq.name)}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(
      `hub-admin: ${error.message}\nsee the comment at the top of infra/cli/hub-admin.ts, or README.md`,
    );
    process.exit(2);
  }
  if (
    error instanceof PartnerAdminError ||
    error instanceof InvalidPartnerKeyError ||
    error instanceof HubError
  ) {
    console.error(`hub-admin: ${error.message}`);
    const fieldErrors = error instanceof HubError ? error.extensions.errors : undefined;
    if (Array.isArray(fieldErrors))
      for (const field of fieldErrors) console.error(`  ${JSON.stringify(field)}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
