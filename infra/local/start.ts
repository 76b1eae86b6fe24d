import type { JSONWebKeySet } from 'jose';
import { demoSigner, registerDemoPartners } from '#infra/local/demo-partners.ts';
import { localAws } from '#infra/local/emulator.ts';
import { startLocalHub } from '#infra/local/hub.ts';
import { startPartnerSandbox } from '#infra/local/partner-sandbox.ts';
import { partners } from '#infra/partners.ts';
import { LOCAL_PREFIX, routes } from '#infra/topology.ts';
import { signRequest } from '#lib/signing/request-signer.ts';

/**
 * `npm start`: the whole hub on this machine. Starts moto (or uses AWS_ENDPOINT_URL), creates the
 * topology's resources, registers the demo partners, serves the API and polls the queues.
 * Ctrl-C stops everything it started.
 */
const port = Number(process.env.PORT ?? 3000);
const log = (line: string) => console.log(`[hub] ${line}`);

const aws = await localAws(log);
let hubUrl = '';
const sandbox = await startPartnerSandbox({
  jwks: async () => (await (await fetch(`${hubUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet,
  onEvent: ({ partnerId, event, duplicate }) =>
    log(
      `partner ${partnerId} received ${event.type} ${event.id}${duplicate ? ' (duplicate, ignored)' : ''}: hub signature OK`,
    ),
  onRejected: (partnerId, reason) => log(`partner ${partnerId} REJECTED a delivery: ${reason}`),
});

let hub: Awaited<ReturnType<typeof startLocalHub>>;
try {
  hub = await startLocalHub({
    awsEndpoint: aws.endpoint,
    prefix: process.env.HUB_PREFIX ?? LOCAL_PREFIX,
    port,
  });
} catch (error) {
  await sandbox.stop();
  await aws.stop();
  throw error;
}
hubUrl = hub.url;
await registerDemoPartners(hub.registry, (partner) => sandbox.endpointFor(partner.id));

const body = JSON.stringify({ message: '一码通行 connectivity check', callback: true });
const headers = await signRequest(await demoSigner('sh-jtw'), {
  iss: 'sh-jtw',
  method: 'POST',
  pathAndQuery: '/v1/echo',
  body,
});

console.log(`
Delta Hub is running at ${hub.url}   (AWS: ${aws.endpoint})

Routes:
${routes.map((route) => `  ${route.method.padEnd(5)} ${route.path}`).join('\n')}

Demo partners (test keys in infra/local/demo-keys/, callbacks go to the local partner sandbox):
${partners.map((partner) => `  ${partner.id.padEnd(22)} ${partner.roles.join(', ').padEnd(42)} ${partner.name}`).join('\n')}

Try it (this signature is valid for 5 minutes and only once; \`npm run call\` makes fresh ones):
  curl -i -X POST ${hub.url}/v1/echo \\
    -H 'content-type: application/json' \\
    -H 'x-jws-signature: ${headers['x-jws-signature']}' \\
    --data-raw '${body}'

  npm run call -- --hub ${hub.url} --as js-jtt POST /v1/echo '{"message":"hello from Jiangsu"}'

Ctrl-C stops the hub${aws.moto ? ' and moto' : ''}.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await hub.stop();
  await sandbox.stop();
  await aws.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
