import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { canonicalTarget, decodePath, pathAndQuery } from '#lib/http/request-target.ts';

const LICENCE = '沪交运管许可浦字310115000001号';
const ENCODED = encodeURIComponent(LICENCE);
const event = (rawPath: string, rawQueryString = '') =>
  ({ rawPath, rawQueryString }) as APIGatewayProxyEventV2;

describe('request target canonical form', () => {
  it('leaves plain ASCII paths and queries alone', () => {
    expect(pathAndQuery(event('/v1/echo'))).toBe('/v1/echo');
    expect(pathAndQuery(event('/v1/echo', 'a=1&b=%E4%B8%AD'))).toBe('/v1/echo?a=1&b=%E4%B8%AD');
    expect(canonicalTarget('/v1/echo?a=1&b=%E4%B8%AD')).toBe('/v1/echo?a=1&b=%E4%B8%AD');
  });

  it('matches a signed, percent-encoded path with the decoded path API Gateway delivers', () => {
    const signed = `/v1/licences/sh-jtw/${ENCODED}/status?at=2026-12-01T00%3A00%3A00Z`;
    const delivered = event(`/v1/licences/sh-jtw/${LICENCE}/status`, 'at=2026-12-01T00%3A00%3A00Z');
    expect(canonicalTarget(signed)).toBe(pathAndQuery(delivered));
  });

  it('accepts lower-case hex from the partner, as it is the same path', () => {
    const lower = `/v1/licences/sh-jtw/${ENCODED.toLowerCase()}/status`;
    expect(canonicalTarget(lower)).toBe(pathAndQuery(event(`/v1/licences/sh-jtw/${LICENCE}/status`)));
  });

  it('still tells different paths apart', () => {
    expect(canonicalTarget(`/v1/licences/sh-jtw/${ENCODED}/status`)).not.toBe(
      pathAndQuery(event(`/v1/licences/js-jtt/${LICENCE}/status`)),
    );
  });

  it('holds whether the gateway delivers rawPath decoded or still encoded', () => {
    const signed = canonicalTarget(`/v1/licences/sh-jtw/${ENCODED}/status`);
    expect(pathAndQuery(event(`/v1/licences/sh-jtw/${LICENCE}/status`))).toBe(signed);
    expect(pathAndQuery(event(`/v1/licences/sh-jtw/${ENCODED}/status`))).toBe(signed);
  });

  it('fails closed on a literal percent escape in a value rather than match another path', () => {
    // "%2541" means the three characters "%41"; API Gateway hands over "%41", which could also be "A".
    expect(canonicalTarget('/v1/x/%2541')).not.toBe(pathAndQuery(event('/v1/x/%41')));
    expect(canonicalTarget('/v1/x/%2541')).not.toBe(pathAndQuery(event('/v1/x/A')));
  });

  it('decodes segment by segment and keeps a broken escape as it is', () => {
    expect(decodePath(`/v1/licences/sh-jtw/${ENCODED}/status`)).toBe(`/v1/licences/sh-jtw/${LICENCE}/status`);
    expect(decodePath('/v1/a%2Fb/%E6%B2/c')).toBe('/v1/a/b/%E6%B2/c');
    expect(canonicalTarget('/v1/%E6%B2')).toBe(pathAndQuery(event(decodePath('/v1/%E6%B2'))));
  });
});
