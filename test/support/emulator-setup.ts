import type { TestProject } from 'vitest/node';
import { localAws } from '#infra/local/emulator.ts';

/**
 * Global setup of the integration tier: one emulator for the whole run (moto started here, or the
 * endpoint in AWS_ENDPOINT_URL). Each test file provisions its own prefixed resources in it.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const aws = await localAws((line) => console.log(`[emulator] ${line}`));
  project.provide('awsEndpoint', aws.endpoint);
  return () => aws.stop();
}
