import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The request target as signed in `htu`: API Gateway's rawPath plus `?rawQueryString`. */
export const pathAndQuery = (event: APIGatewayProxyEventV2): string =>
  event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
