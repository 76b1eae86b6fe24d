import { performance } from 'node:perf_hooks';
import { SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signRequest } from '#lib/signing/request-signer.ts';
import { RequestVerifier } from '#lib/signing/request-verifier.ts';
import { MemoryDirectory, MemoryReplayGuard, partnerWithKey } from '../unit/signing/fixtures.ts';

/**
 * `npm run bench`: CPU cost of the hot path of every signed request, the signature verification
 * itself (registry and replay store in memory, so only the crypto and parsing are measured).
 * Prints operations per second and mean microseconds; nothing here is asserted.
 */
async function bench(name: string, iterations: number, run: (i: number) => Promise<unknown>): Promise<void> {
  const warmup = Math.min(200, iterations);
  for (let i = 0; i < warmup; i++) await run(i);
  const start = performance.now();
  for (let i = warmup; i < warmup + iterations; i++) await run(i);
  const ms = performance.now() - start;
  console.log(
    `${name.padEnd(44)} ${(iterations / (ms / 1000)).toFixed(0).padStart(8)} ops/s  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs/op`,
  );
}

const body = JSON.stringify({ message: '沪闸通 benchmark '.repeat(20) });
for (const alg of ['ES256', 'EdDSA'] as const) {
  const directory = new MemoryDirectory();
  const partner = await partnerWithKey('sh-jtw', alg);
  directory.partners.set('sh-jtw', partner.partner);
  const verifier = new RequestVerifier({ directory, replayGuard: new MemoryReplayGuard() });
  const requests = await Promise.all(
    Array.from({ length: 2_200 }, async () => ({
      method: 'POST',
      pathAndQuery: '/v1/echo',
      body: Buffer.from(body),
      signature: (
        await signRequest(partner.signer, { iss: 'sh-jtw', method: 'POST', pathAndQuery: '/v1/echo', body })
      )[SIGNATURE_HEADER],
    })),
  );
  await bench(`verify signed request (${alg}, ${body.length} B body)`, 2_000, (i) =>
    verifier.verify(requests[i % requests.length] as (typeof requests)[number]),
  );
  await bench(`sign request (${alg})`, 2_000, () =>
    signRequest(partner.signer, { iss: 'sh-jtw', method: 'POST', pathAndQuery: '/v1/echo', body }),
  );
}
const heap = process.memoryUsage();
console.log(
  `heap used ${(heap.heapUsed / 1024 / 1024).toFixed(1)} MiB, rss ${(heap.rss / 1024 / 1024).toFixed(1)} MiB`,
);
