import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * functions/lib/aws/clients.ts must read AWS_ENDPOINT_URL when a client is built, not when the
 * module is loaded: the local runner sets the variable after its imports, and a client pinned to
 * real AWS would run local deliveries with the developer's credentials.
 */
const saved = process.env.AWS_ENDPOINT_URL;
const fresh = async () => {
  vi.resetModules();
  return import('#lib/aws/clients.ts');
};

beforeEach(() => {
  delete process.env.AWS_ENDPOINT_URL;
});
afterAll(() => {
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = saved;
});

describe('AWS clients', () => {
  it('honour an AWS_ENDPOINT_URL set after the module was imported', async () => {
    const clients = await fresh();
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4599';

    for (const client of [clients.dynamoClient(), clients.sqsClient(), clients.kmsClient()]) {
      const endpoint = await client.config.endpoint?.();
      expect(endpoint).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4599 });
    }
    // The document client wraps the same DynamoDB client.
    expect(await clients.documentClient().config.endpoint?.()).toMatchObject({ port: 4599 });
  });

  it('leave the endpoint to the SDK (real AWS) when the variable is not set', async () => {
    const clients = await fresh();

    expect(clients.sqsClient().config.endpoint).toBeUndefined();
    expect(clients.dynamoClient().config.endpoint).toBeUndefined();
  });

  it('build each client once per process', async () => {
    const clients = await fresh();

    expect(clients.sqsClient()).toBe(clients.sqsClient());
    expect(clients.documentClient()).toBe(clients.documentClient());
  });
});
