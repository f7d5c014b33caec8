/**
 * Where the function writes, and how it authenticates there: one value for the construct's
 * `openSearch` prop. Each kind grants the function what it needs on its own indexes only.
 */
import { Arn, ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type AuthMode, type SigningService, type IndexNames, type MirrorAliases, SettingError } from '../lambda/settings';
import {
  checkCollectionArn,
  checkCollectionEndpointMatchesArn,
  checkDomainArn,
  checkDomainEndpointMatchesArn,
  checkNoWildcard,
} from './aws-endpoints';
import { CdcOpenSearchDomain, type CdcOpenSearchDomainProps } from './cdc-opensearch-domain';
import type { OpenSearchTargetNetwork } from './opensearch-target-network';

export type { OpenSearchTargetNetwork } from './opensearch-target-network';
import { domainPathGrants, serverlessAccessPolicy, type DomainPathOptions } from './opensearch-access';

/** What the construct gives a target when binding it. */
export interface OpenSearchTargetBindOptions {
  /** The function's execution role, to grant access to. */
  readonly role: iam.IRole;
}

/** What a bound target tells the construct. */
export interface OpenSearchTargetConfig {
  /** The URL the function writes to (may be a token). */
  readonly endpoint: string;
  readonly authMode: AuthMode;
  /** @default none (mode sigv4 only) */
  readonly signingService?: SigningService;
  /** @default none (mode sigv4 only) */
  readonly signingRegion?: string;
  /** @default none (mode basic only) */
  readonly basicAuthSecretArn?: string;
  /** @default the function is not placed in a VPC */
  readonly network?: OpenSearchTargetNetwork;
  /** @default no domain created */
  readonly domain?: opensearch.IDomain;
  /** IAM roles the function maps to the pipeline's operator role (it is the master user of a new domain). @default none */
  readonly operatorRoleArns?: readonly string[];
  /** Grants the role access to the pipeline's indexes once their names are checked; `mirrors`: each mirror's alias (default: `indexes.mirror`). */
  readonly grant: (indexes: IndexNames, mirrors?: MirrorAliases) => void;
}

/** An OpenSearch Serverless collection, as its data-access policy and IAM name it. */
export interface ServerlessCollection {
  /** The collection's name (data-access policies are written against it). */
  readonly collectionName: string;
  /** The collection's ARN, `arn:aws:aoss:<region>:<account>:collection/<id>`. */
  readonly collectionArn: string;
  /** The collection's endpoint, `https://<id>.<region>.aoss.amazonaws.com`. */
  readonly collectionEndpoint: string;
}

/** Options of {@link OpenSearchTarget.serverless}. */
export interface ServerlessTargetOptions {
  /**
   * Name of the data-access policy the construct creates: 3-32 characters of a-z 0-9 -.
   * @default `cdc-` and a hash of the construct's path
   */
  readonly accessPolicyName?: string;
}

/**
 * The OpenSearch cluster the function writes to.
 *
 * - {@link OpenSearchTarget.endpoint}: unauthenticated (a local cluster or emulator).
 * - {@link OpenSearchTarget.domain} / {@link OpenSearchTarget.domainEndpoint}: an Amazon OpenSearch
 *   Service domain, SigV4 (`es`); IAM access to the function's indexes only.
 * - {@link OpenSearchTarget.serverless}: an OpenSearch Serverless collection, SigV4 (`aoss`);
 *   `aoss:APIAccessAll` on the collection and a data-access policy for the function's indexes.
 * - {@link OpenSearchTarget.basicAuth}: a self-managed cluster with HTTP basic authentication;
 *   the credentials stay in Secrets Manager, the function reads them at run time.
 * - {@link OpenSearchTarget.newDomain}: a new domain made for the pipeline (HTTPS, TLS 1.2,
 *   encryption at rest and in transit, fine-grained access control with the function as master).
 */
export abstract class OpenSearchTarget {
  /** No authentication: for a local cluster or an emulator (refused elsewhere unless `allowInsecureEndpoint`). */
  static endpoint(url: string): OpenSearchTarget {
    return new (class extends OpenSearchTarget {
      bind(): OpenSearchTargetConfig {
        return { endpoint: url, authMode: 'none', grant: () => undefined };
      }
    })('endpoint', url);
  }

  /** An Amazon OpenSearch Service domain of this app, or imported with `Domain.fromDomainAttributes`/`fromDomainEndpoint`. */
  static domain(domain: opensearch.IDomain): OpenSearchTarget {
    return new (class extends OpenSearchTarget {
      bind(_scope: Construct, options: OpenSearchTargetBindOptions): OpenSearchTargetConfig {
        const url = `https://${domain.domainEndpoint}`;
        if (!Token.isUnresolved(url) && !Token.isUnresolved(domain.domainArn)) {
          checkDomainEndpointMatchesArn(url, checkDomainArn('openSearch (domain ARN)', domain.domainArn), {
            endpoint: 'openSearch (domain endpoint)',
            arn: 'openSearch (domain ARN)',
            kind: 'OpenSearchTarget.domain',
          });
        }
        return domainConfig(url, domain.domainArn, domain.env.region, options.role, domain);
      }
    })('domain', domain.domainEndpoint);
  }

  /**
   * A domain given by its endpoint and ARN (from configuration).
   * @param url `https://search-<name>-<id>.<region>.es.amazonaws.com` (or a custom endpoint)
   * @param domainArn `arn:aws:es:<region>:<account>:domain/<name>`
   */
  static domainEndpoint(url: string, domainArn: string): OpenSearchTarget {
    return new (class extends OpenSearchTarget {
      bind(scope: Construct, options: OpenSearchTargetBindOptions): OpenSearchTargetConfig {
        if (!Token.isUnresolved(domainArn)) {
          checkDomainArn('openSearch (domain ARN)', domainArn);
          if (!Token.isUnresolved(url))
            checkDomainEndpointMatchesArn(url, domainArn, {
              endpoint: 'openSearch (domainEndpoint)',
              arn: 'openSearch (domain ARN)',
              kind: 'OpenSearchTarget.domainEndpoint',
            });
        }
        const region = Arn.split(domainArn, ArnFormat.SLASH_RESOURCE_NAME).region ?? Stack.of(scope).region;
        return domainConfig(url, domainArn, region, options.role);
      }
    })('domainEndpoint', url);
  }

  /** An OpenSearch Serverless collection (search or time series). */
  static serverless(collection: ServerlessCollection, options: ServerlessTargetOptions = {}): OpenSearchTarget {
    return new (class extends OpenSearchTarget {
      bind(scope: Construct, bind: OpenSearchTargetBindOptions): OpenSearchTargetConfig {
        const { collectionArn, collectionName } = collection;
        if (!Token.isUnresolved(collectionArn)) {
          checkCollectionArn('openSearch (collection ARN)', collectionArn);
          if (!Token.isUnresolved(collection.collectionEndpoint)) {
            checkCollectionEndpointMatchesArn(collection.collectionEndpoint, collectionArn, {
              endpoint: 'openSearch (serverless)',
              arn: 'openSearch (collection ARN)',
              kind: 'OpenSearchTarget.serverless',
            });
          }
        }
        if (!Token.isUnresolved(collectionName)) {
          checkPattern(
            'openSearch (collection name)',
            collectionName,
            /^[a-z][a-z0-9-]{2,31}$/,
            'must be a collection name: 3-32 characters of a-z 0-9 -, starting with a letter',
          );
        }
        const policyName =
          options.accessPolicyName ??
          `cdc-${Names.uniqueId(scope)
            .toLowerCase()
            .replace(/[^a-z0-9]/g, '')
            .slice(-24)}`;
        if (!Token.isUnresolved(policyName))
          checkPattern(
            'openSearch (accessPolicyName)',
            policyName,
            /^[a-z][a-z0-9-]{2,31}$/,
            'must be 3-32 characters of a-z 0-9 -, starting with a letter',
          );
        const region = Arn.split(collectionArn, ArnFormat.SLASH_RESOURCE_NAME).region ?? Stack.of(scope).region;
        bind.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['aoss:APIAccessAll'], resources: [collectionArn] }));
        return {
          endpoint: collection.collectionEndpoint,
          authMode: 'sigv4',
          signingService: 'aoss',
          signingRegion: region,
          grant: (indexes, mirrors) => {
            new aoss.CfnAccessPolicy(scope, 'DataAccessPolicy', {
              name: policyName,
              type: 'data',
              description: 'The DynamoDB CDC function: its own indexes only',
              policy: Stack.of(scope).toJsonString(serverlessAccessPolicy(collectionName, indexes, bind.role.roleArn, mirrors)),
            });
          },
        };
      }
    })('serverless', collection.collectionEndpoint);
  }

  /**
   * A self-managed cluster with HTTP basic authentication.
   * @param url the cluster's `https://` URL, without credentials
   * @param secret a secret holding `{"username": "...", "password": "..."}`; only its ARN reaches the function's environment.
   *   Its ARN may not hold `*` or `?` (IAM wildcards). A secret imported by partial ARN whose name
   *   ends in `-` and six letters or digits (`opensearch-master`) may also be a complete ARN: the
   *   grant covers both readings.
   */
  static basicAuth(url: string, secret: secretsmanager.ISecret): OpenSearchTarget {
    return new (class extends OpenSearchTarget {
      bind(_scope: Construct, options: OpenSearchTargetBindOptions): OpenSearchTargetConfig {
        checkNoWildcard('openSearch (basicAuth secret ARN)', secret.secretArn);
        checkNoWildcard('openSearch (basicAuth secret ARN)', secret.secretFullArn);
        // GetSecretValue only (no DescribeSecret, no listing): on this secret, whose full ARN ends in a random suffix.
        options.role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secretResources(secret) }),
        );
        secret.encryptionKey?.grantDecrypt(options.role);
        return { endpoint: url, authMode: 'basic', basicAuthSecretArn: secret.secretArn, grant: () => undefined };
      }
    })('basicAuth', url);
  }

  /**
   * A new domain for the pipeline, made secure by default (see {@link CdcOpenSearchDomain}). With
   * `operatorRoles`, the function (its master user) maps those IAM roles to an OpenSearch role
   * limited to the pipeline's indexes, so operators can run the CLI against it.
   */
  static newDomain(props: CdcOpenSearchDomainProps = {}): OpenSearchTarget {
    return new (class extends OpenSearchTarget {
      bind(scope: Construct, options: OpenSearchTargetBindOptions): OpenSearchTargetConfig {
        const created = new CdcOpenSearchDomain(scope, 'OpenSearch', { ...props, masterRole: options.role });
        const operatorRoleArns = (props.operatorRoles ?? []).map((role) => role.roleArn);
        const mapsOperators = operatorRoleArns.length > 0;
        return {
          ...domainConfig(
            `https://${created.domain.domainEndpoint}`,
            created.domain.domainArn,
            Stack.of(scope).region,
            options.role,
            created.domain,
            { mapsOperators },
          ),
          network: created.functionNetwork,
          ...(mapsOperators ? { operatorRoleArns } : {}),
        };
      }
    })('newDomain', undefined);
  }

  protected constructor(
    /** Which factory made this target: `endpoint`, `domain`, `domainEndpoint`, `serverless`, `basicAuth`, `newDomain`. */
    readonly kind: string,
    /** The endpoint as given, for messages (undefined when the construct creates the cluster). */
    readonly endpointHint: string | undefined,
  ) {}

  /** Called once by the construct: grants the role what it needs and says how to reach the cluster. */
  abstract bind(scope: Construct, options: OpenSearchTargetBindOptions): OpenSearchTargetConfig;
}

function domainConfig(
  endpoint: string,
  domainArn: string,
  region: string,
  role: iam.IRole,
  domain?: opensearch.IDomain,
  access: DomainPathOptions = {},
): OpenSearchTargetConfig {
  return {
    endpoint,
    authMode: 'sigv4',
    signingService: 'es',
    signingRegion: region,
    domain,
    grant: (indexes, mirrors) => {
      for (const { actions, paths } of domainPathGrants(indexes, { ...access, ...(mirrors ? { mirrors } : {}) })) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: [...actions], resources: paths.map((path) => `${domainArn}/${path}`) }),
        );
      }
    },
  };
}

/** A complete ARN ends in `-` and the six characters Secrets Manager appends to the name. */
const COMPLETE_SECRET_ARN = /-[A-Za-z0-9]{6}$/;

/**
 * What the grant must name to cover the secret: its complete ARN when known; for a partial ARN
 * the ARN followed by `-??????` (the suffix), and, when the partial ARN could itself be complete
 * (`secret:opensearch-master` is the full ARN of a secret named `opensearch`, or the partial one
 * of `opensearch-master`), the ARN as given too: one of the two readings is the secret.
 */
function secretResources(secret: secretsmanager.ISecret): string[] {
  if (secret.secretFullArn) return [secret.secretFullArn];
  const partial = secret.secretArn;
  const suffixed = `${partial}-??????`;
  return !Token.isUnresolved(partial) && COMPLETE_SECRET_ARN.test(partial) ? [partial, suffixed] : [suffixed];
}

export { checkDomainArn };

function checkPattern(setting: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new SettingError(setting, rule, value);
  return value;
}
