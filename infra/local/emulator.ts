import { type RunningMoto, startMoto } from '#infra/local/moto.ts';

/**
 * Chooses the local AWS: the endpoint in `AWS_ENDPOINT_URL` when set (LocalStack, a moto you run
 * yourself, …), otherwise a moto server started here and stopped with the returned handle.
 * Emulators accept any credentials; dummy ones are filled in only where none are configured.
 */
export interface LocalAws {
  endpoint: string;
  /** The moto this process started, if it started one. */
  moto?: RunningMoto;
  stop(): Promise<void>;
}

export async function localAws(log: (line: string) => void = () => undefined): Promise<LocalAws> {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const configured = process.env.AWS_ENDPOINT_URL;
  if (configured) {
    log(`using the AWS endpoint in AWS_ENDPOINT_URL: ${configured}`);
    return { endpoint: configured, stop: async () => undefined };
  }
  const moto = await startMoto({ log });
  return { endpoint: moto.endpoint, moto, stop: () => moto.stop() };
}
