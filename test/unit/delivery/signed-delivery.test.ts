import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryFailedError, deliverSigned } from '#lib/delivery/signed-delivery.ts';
import { partnerEvent } from '#lib/outbox/partner-event.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import { generatePrivateJwk } from '../signing/fixtures.ts';

/** deliverSigned against a real loopback HTTP server that misbehaves in the ways partners do. */
let server: Server;
let base = '';
const hits: { method: string; url: string }[] = [];
/** How the large answer ended: streamed to the end, or cut off by the client. */
let flood: Promise<'finished' | 'cut-off'> | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    if (req.url === '/ok') return void res.writeHead(204).end();
    if (req.url === '/moved') return void res.writeHead(302, { location: `${base}/elsewhere` }).end();
    if (req.url === '/elsewhere') return void res.writeHead(200).end();
    if (req.url === '/down') return void res.writeHead(503).end();
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(204).end(), 2_000);
    if (req.url === '/flood') {
      // A large answer body: it must be discarded, not read.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      flood = new Promise((settle) => {
        res.once('finish', () => settle('finished'));
        res.once('close', () => settle(res.writableFinished ? 'finished' : 'cut-off'));
      });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 2_000 && res.write(chunk)) sent++;
        if (sent < 2_000) res.once('drain', pump);
        else res.end();
      };
      pump();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const ports = async (timeoutMs = 1_000) => ({
  signer: await localKeySigner(generatePrivateJwk('ES256', 'hub-test')),
  fetch,
  now: () => new Date(),
  timeoutMs,
});
const event = partnerEvent('sh-jtw', 'echo.v1', { message: 'x' });

async function failure(path: string, timeoutMs?: number): Promise<DeliveryFailedError> {
  const error = await deliverSigned(`${base}${path}`, event, await ports(timeoutMs)).catch(
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryFailedError);
  return error as DeliveryFailedError;
}

describe('deliverSigned', () => {
  it('counts a 2xx as delivered', async () => {
    await expect(deliverSigned(`${base}/ok`, event, await ports())).resolves.toBe(204);
  });

  it('does not follow a redirect: a 3xx is a failed delivery and nothing is sent elsewhere', async () => {
    hits.length = 0;
    const error = await failure('/moved');
    expect(error.status).toBe(302);
    expect(error.message).toContain('redirects are not followed');
    expect(hits.map((hit) => hit.url)).toEqual(['/moved']);
  });

  it('fails on a 5xx, so the queue retries', async () => {
    expect((await failure('/down')).status).toBe(503);
  });

  it('fails on a timeout', async () => {
    const error = await failure('/slow', 200);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('unreachable');
  });

  it('discards a large answer body unread: the connection is cut, not drained', async () => {
    await expect(deliverSigned(`${base}/flood`, event, await ports(5_000))).resolves.toBe(200);
    // 125 MiB were offered; had the body been read, the server would have sent it all.
    expect(await flood).toBe('cut-off');
  });
});
