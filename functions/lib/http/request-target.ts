import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The request target a signature's `htu` is compared with.
 *
 * API Gateway HTTP API hands a function the path percent-decoded (`rawPath` as well as
 * `pathParameters`; the query string stays as sent), and the local gateway does the same. A
 * partner signs the path as it went on the wire, percent-encoded. So both sides are compared in
 * one canonical form: every path segment decoded once, then encoded as `encodeURIComponent` does
 * (UTF-8, upper-case hex). For the plain ASCII paths of fixed routes that is the path itself; for
 * `/v1/licences/sh-jtw/沪交运管许可浦字310115000001号/status` it is `…/%E6%B2%AA%E4%BA%A4…/status`,
 * whether the partner sent `%e6%b2%aa…` or `%E6%B2%AA…`. The query is compared as sent.
 */
export const pathAndQuery = (event: APIGatewayProxyEventV2): string => {
  // Decoding an already decoded path is a no-op unless the path holds a literal "%XY" (no hub path
  // or licence number does); so the comparison holds whether or not the gateway decoded rawPath,
  // and a literal escape in a value fails closed (target-mismatch) instead of matching another path.
  const path = encodePath(decodePath(event.rawPath));
  return event.rawQueryString ? `${path}?${event.rawQueryString}` : path;
};

/** `htu` in canonical form: its path decoded once and re-encoded (see {@link pathAndQuery}). */
export function canonicalTarget(htu: string): string {
  const queryAt = htu.indexOf('?');
  const path = queryAt === -1 ? htu : htu.slice(0, queryAt);
  const query = queryAt === -1 ? '' : htu.slice(queryAt);
  return encodePath(decodePath(path)) + query;
}

/**
 * Percent-decodes a path segment by segment, as API Gateway does before it routes (a `%2F`
 * becomes a `/`, so it separates segments). A segment with a broken escape is left as it is.
 */
export function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function encodePath(decoded: string): string {
  return decoded
    .split('/')
    .map((segment) => {
      try {
        return encodeURIComponent(segment);
      } catch {
        // A lone surrogate cannot come out of UTF-8 decoding; keep the segment rather than fail.
        return segment;
      }
    })
    .join('/');
}
