import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEMO_ISSUERS, demoSigner, signDemoCredential } from '#infra/local/demo-partners.ts';
import { PASS_TYP, type PassClaims } from '#lib/passes/pass-claims.ts';
import { signRequest } from '#lib/signing/request-signer.ts';

/**
 * Issues a demo one-code pass as a province's app would, against a running local hub:
 *
 *   npm run demo-pass -- --issuer ah-jtt --type vehicle
 *
 * It reserves a status index from the hub (signed as the issuer), signs the pass with the issuer's
 * published TEST issuing key (ah-jtt's is SM2SM3), and prints it with a ready `npm run call` line
 * that verifies it at the Jiaxing checkpoint.
 */
const { values } = parseArgs({
  options: {
    issuer: { type: 'string', default: 'sh-jtw' },
    type: { type: 'string', default: 'person' },
    hub: { type: 'string', default: process.env.HUB_URL ?? 'http://127.0.0.1:3000' },
    minutes: { type: 'string', default: '60' },
  },
});
const issuer = values.issuer as string;
if (!(DEMO_ISSUERS as readonly string[]).includes(issuer)) {
  console.error(`demo-pass: --issuer must be one of ${DEMO_ISSUERS.join(', ')}`);
  process.exit(2);
}

const allocationPath = `/v1/status-lists/${issuer}/allocations`;
const allocationBody = JSON.stringify({ count: 1 });
const allocation = await fetch(`${values.hub}${allocationPath}`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(await signRequest(await demoSigner(issuer), {
      iss: issuer,
      method: 'POST',
      pathAndQuery: allocationPath,
      body: allocationBody,
    })),
  },
  body: allocationBody,
});
if (!allocation.ok) {
  console.error(
    `demo-pass: the hub refused the status allocation (${allocation.status}): ${await allocation.text()}`,
  );
  process.exit(1);
}
const { indices } = (await allocation.json()) as { indices: number[] };

const now = Math.floor(Date.now() / 1000);
const holders = {
  person: { name: '张*明', idLast4: '1239' },
  vehicle: {
    plate:
      { 'sh-jtw': '沪AD69287', 'js-jtt': '苏E5K823', 'zj-jtt': '浙F3A716', 'ah-jtt': '皖A7D215' }[issuer] ??
      '沪AD69287',
  },
  vessel: { shipName: '皖鸿运8088', shipId: 'CN20181234567' },
} as const;
const passType = (
  Object.hasOwn(holders, values.type as string) ? values.type : 'person'
) as keyof typeof holders;
const claims: PassClaims = {
  iss: issuer,
  sub: randomBytes(18).toString('base64url'),
  jti: randomBytes(16).toString('base64url'),
  iat: now,
  nbf: now,
  exp: now + Number(values.minutes) * 60,
  passType,
  scope: passType === 'vessel' ? ['lock', 'ferry'] : ['ferry', 'bus', 'service-hall', 'highway'],
  holder: holders[passType],
  status: { idx: indices[0] as number },
};
const pass = await signDemoCredential(
  issuer,
  { typ: PASS_TYP },
  claims as unknown as Record<string, unknown>,
);
const request = JSON.stringify({
  pass,
  checkpoint: {
    id: 'jiaxing-ferry-01',
    kind: passType === 'vessel' ? 'lock' : 'ferry',
    divisionCode: '330400',
  },
});

console.log(
  `pass (${passType}, issued by ${issuer}, status index ${claims.status.idx}, valid ${values.minutes} min):\n${pass}\n`,
);
console.log('verify it at a Zhejiang checkpoint:');
console.log(
  `  npm run call -- --hub ${values.hub} --as zj-checkpoint-jiaxing POST /v1/passes/verify '${request}'`,
);
