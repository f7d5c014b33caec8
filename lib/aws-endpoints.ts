/**
 * The AWS side of a target, checked at synth time: an endpoint that names the same domain or
 * collection as its ARN when its host is an AWS one (`*.es.amazonaws.com`, `*.aoss.amazonaws.com`,
 * `.amazonaws.com.cn` in China). A custom endpoint (a CNAME such as `search.example.com`) says
 * nothing checkable and passes. The ARNs themselves are settings (lambda/settings/aws-arns.ts).
 */
import { SettingError } from '../lambda/settings';

export { AWS_PARTITIONS, checkCollectionArn, checkDomainArn, checkNoWildcard, checkSecretArn } from '../lambda/settings';

/** What an AWS endpoint's host says: `search-<name>-<id>.<region>.es.amazonaws.com` or `<id>.<region>.aoss.amazonaws.com`. */
interface AwsHost {
  readonly service: 'es' | 'aoss';
  /** The first label: `search-<name>-<id>`, `vpc-<name>-<id>`, or the collection id. */
  readonly prefix: string;
  readonly region: string;
  /** `.amazonaws.com.cn` is the China partition's. */
  readonly china: boolean;
}

const AWS_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)\.(es|aoss)\.amazonaws\.com(\.cn)?$/;
const ANY_AWS_SEARCH_HOST = /\.(es|aoss)\.amazonaws\.com(\.cn)?$/;

function awsHost(endpoint: string): AwsHost | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const match = AWS_HOST.exec(host);
  if (match) return { prefix: match[1], region: match[2], service: match[3] as 'es' | 'aoss', china: match[4] !== undefined };
  return undefined;
}

function isAwsSearchHost(endpoint: string): boolean {
  try {
    return ANY_AWS_SEARCH_HOST.test(new URL(endpoint).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** How a check names the settings in its messages (context keys or construct props). */
export interface TargetSettingNames {
  /** The endpoint's setting: `openSearchEndpoint`. */
  readonly endpoint: string;
  /** The ARN's setting: `openSearchDomainArn`, `openSearchCollectionArn`. */
  readonly arn: string;
  /** The kind as the user chose it: `openSearch=domain`, `OpenSearchTarget.domainEndpoint`. */
  readonly kind: string;
}

/** What each AWS search service's endpoint looks like, and what to use instead of the other. */
const SERVICES = {
  es: {
    what: 'an OpenSearch Service domain endpoint (https://search-<name>-<id>.<region>.es.amazonaws.com)',
    other: "an OpenSearch Service domain's: use the domain target",
  },
  aoss: {
    what: 'an OpenSearch Serverless collection endpoint (https://<id>.<region>.aoss.amazonaws.com)',
    other: "an OpenSearch Serverless collection's: use the serverless target",
  },
} as const;

/** The AWS host of an endpoint of this service, or a SettingError saying which service it is of. Other hosts: undefined. */
function hostOf(service: 'es' | 'aoss', endpoint: string, arn: string, names: TargetSettingNames): AwsHost | undefined {
  if (!isAwsSearchHost(endpoint)) return undefined;
  const host = awsHost(endpoint);
  if (host?.service === service) return host;
  const wrong = host === undefined ? '' : `; it is ${SERVICES[host.service].other}`;
  throw new SettingError(
    names.endpoint,
    `is not ${SERVICES[service].what}, as ${names.kind} needs${wrong} (${names.arn} is ${JSON.stringify(arn)})`,
    endpoint,
  );
}

/**
 * An `*.es.amazonaws.com` endpoint must be in the region and partition of the domain ARN; an
 * `*.aoss.amazonaws.com` one is a serverless collection's, not a domain's. Other hosts pass.
 */
export function checkDomainEndpointMatchesArn(endpoint: string, domainArn: string, names: TargetSettingNames): void {
  const host = hostOf('es', endpoint, domainArn, names);
  if (host) checkSameRegion(endpoint, host, domainArn, names);
}

/**
 * An `*.aoss.amazonaws.com` endpoint must be the collection of the ARN (same id, region and
 * partition); an `*.es.amazonaws.com` one is a domain's, not a collection's. Other hosts pass.
 */
export function checkCollectionEndpointMatchesArn(endpoint: string, collectionArn: string, names: TargetSettingNames): void {
  const host = hostOf('aoss', endpoint, collectionArn, names);
  if (!host) return;
  const id = collectionArn.split('/').pop();
  if (host.prefix !== id) {
    throw new SettingError(
      names.endpoint,
      `is the endpoint of collection ${host.prefix}, but ${names.arn} is ${JSON.stringify(collectionArn)}, collection ${id}: they must name the same collection`,
      endpoint,
    );
  }
  checkSameRegion(endpoint, host, collectionArn, names);
}

function checkSameRegion(endpoint: string, host: AwsHost, arn: string, names: TargetSettingNames): void {
  const [, partition, , region] = arn.split(':');
  if (host.region !== region) {
    throw new SettingError(
      names.endpoint,
      `is in region ${host.region}, but ${names.arn} is ${JSON.stringify(arn)}, in region ${region}: they must name the same ${host.service === 'es' ? 'domain' : 'collection'}`,
      endpoint,
    );
  }
  if (host.china !== (partition === 'aws-cn')) {
    throw new SettingError(
      names.endpoint,
      `is ${host.china ? 'in' : 'outside'} the China partition (.amazonaws.com${host.china ? '.cn' : ''}), but ${names.arn} is ${JSON.stringify(arn)}, in partition ${partition}: they must name the same ${host.service === 'es' ? 'domain' : 'collection'}`,
      endpoint,
    );
  }
}
