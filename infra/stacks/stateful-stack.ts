import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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

export interface StatefulStackProps extends StackProps {
  /**
   * Prefix of the physical table names, which the operator CLI finds them by (HUB_PREFIX).
   * @default DEPLOYED_PREFIX ('delta-hub')
   */
  readonly namePrefix?: string;
}

/**
 * What the hub keeps: the topology's tables and the hub's signing key. Everything here is
 * retained when removed from the stack, and the stack itself is termination-protected, so a
 * mistaken `cdk destroy` or a replacement cannot lose the trust registry or the key partners
 * verify the hub with.
 */
export class StatefulStack extends Stack {
  readonly tables: Readonly<Record<TableName, ITable>>;
  /** ES256 key (ECC_NIST_P256, SIGN_VERIFY) that signs the hub's responses and callbacks. */
  readonly signingKey: IKey;

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

    this.signingKey = new Key(this, 'HubSigningKey', {
      description: 'Delta Hub: signs hub responses and partner callbacks (ES256)',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
