import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import {
  DEPLOYED_PREFIX,
  physicalTableName,
  type TableName,
  type TableSpec,
  tables,
} from '#infra/topology.ts';
import jwksSchema from '#schemas/jwks/v1.json' with { type: 'json' };

/**
 * Name of the hub's first signing key, the one created before keys had names. It keeps the
 * construct id `HubSigningKey`, so listing it never replaces the deployed key.
 */
export const ORIGINAL_SIGNING_KEY = 'original';

/** What a signing key name may look like: it becomes part of a construct id. */
const SIGNING_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;

/** The JWKS may hold no more keys than its schema allows, or `/.well-known/jwks.json` fails. */
export const MAX_SIGNING_KEYS: number = jwksSchema.properties.keys.maxItems;

/**
 * Construct id of the signing key called `name`. It depends on the name only, never on the key's
 * place in the list, so reordering the list (to change which key signs) replaces nothing.
 *
 * @example
 * signingKeyConstructId('original'); // 'HubSigningKey' (the key deployed before rotation existed)
 * signingKeyConstructId('2026-12'); // 'HubSigningKey-2026-12'
 */
export function signingKeyConstructId(name: string): string {
  return name === ORIGINAL_SIGNING_KEY ? 'HubSigningKey' : `HubSigningKey-${name}`;
}

/** Checks a list of signing key names: 1 to MAX_SIGNING_KEYS distinct names of the allowed shape. */
export function validateSigningKeyNames(names: readonly string[]): void {
  if (names.length === 0) throw new Error('the hub needs at least one signing key');
  if (names.length > MAX_SIGNING_KEYS) {
    throw new Error(`at most ${MAX_SIGNING_KEYS} hub signing keys fit in the JWKS, got ${names.length}`);
  }
  for (const name of names) {
    if (!SIGNING_KEY_NAME.test(name)) {
      throw new Error(
        `hub signing key name ${JSON.stringify(name)} must be 1-32 letters, digits or '-', starting with a letter or digit`,
      );
    }
  }
  // Logical ids drop the '-', so '2026-12' and '202612' would be the same output.
  const bare = names.map((name) => name.replaceAll('-', ''));
  const duplicate = names.find((_, index) => bare.indexOf(bare[index] as string) !== index);
  if (duplicate !== undefined) throw new Error(`hub signing key ${duplicate} is listed twice`);
}

export interface StatefulStackProps extends StackProps {
  /**
   * Prefix of the physical table names, which the operator CLI finds them by (HUB_PREFIX).
   * @default DEPLOYED_PREFIX ('delta-hub')
   */
  readonly namePrefix?: string;
  /**
   * The hub's signing keys by stable name, in order: the first signs, all are published in the
   * JWKS. One KMS key per name (construct id from `signingKeyConstructId`); a name dropped from
   * the list leaves its key in KMS (retained), no longer used or published. See
   * docs/operations.md, "The hub's signing key".
   * @default [ORIGINAL_SIGNING_KEY]
   */
  readonly signingKeyNames?: readonly string[];
}

/**
 * What the hub keeps: the topology's tables and the hub's signing keys. Everything here is
 * retained when removed from the stack, and the stack itself is termination-protected, so a
 * mistaken `cdk destroy` or a replacement cannot lose the trust registry or the keys partners
 * verify the hub with.
 */
export class StatefulStack extends Stack {
  readonly tables: Readonly<Record<TableName, ITable>>;
  /**
   * The hub's ES256 keys (ECC_NIST_P256, SIGN_VERIFY), in the declared order: the first signs the
   * hub's responses and callbacks, all are published in the JWKS.
   */
  readonly signingKeys: readonly IKey[];

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, { terminationProtection: true, ...props });
    const declared = Object.entries(tables) as [TableName, TableSpec][];
    const created = {} as Record<TableName, ITable>;
    for (const [name, spec] of declared) {
      created[name] = new Table(this, name, {
        tableName: physicalTableName(props.namePrefix ?? DEPLOYED_PREFIX, name),
        partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
        ...(spec.sortKey ? { sortKey: { name: spec.sortKey, type: AttributeType.STRING } } : {}),
        ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.tables = created;

    const keyNames = props.signingKeyNames ?? [ORIGINAL_SIGNING_KEY];
    validateSigningKeyNames(keyNames);
    this.signingKeys = keyNames.map((name) => {
      const key = new Key(this, signingKeyConstructId(name), {
        // The original key's description stays as deployed: changing it would be a needless update.
        description:
          name === ORIGINAL_SIGNING_KEY
            ? 'Delta Hub: signs hub responses and partner callbacks (ES256)'
            : `Delta Hub: signs hub responses and partner callbacks (ES256), key ${name}`,
        keySpec: KeySpec.ECC_NIST_P256,
        keyUsage: KeyUsage.SIGN_VERIFY,
        pendingWindow: Duration.days(30),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // So an operator can find a key by its name, e.g. to schedule its deletion once retired.
      new CfnOutput(this, `SigningKeyArn-${name}`, {
        value: key.keyArn,
        description: `ARN of hub signing key ${name}`,
      });
      return key;
    });
  }
}
