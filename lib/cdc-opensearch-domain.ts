/**
 * An Amazon OpenSearch Service domain made for the pipeline, secure by default: HTTPS only with
 * TLS 1.2, encryption at rest and between nodes, fine-grained access control whose master user is
 * the function's role (no password anywhere), a resource policy naming that role and the operator
 * roles given (nothing else), application and slow logs, optionally inside a VPC where only the
 * function may reach port 443.
 */
import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { OpenSearchTargetNetwork } from './opensearch-target-network';
import { checkRoleArn } from '../lambda/settings';
import { ValidationError } from './validation-error';

/** Properties of {@link CdcOpenSearchDomain}. */
export interface CdcOpenSearchDomainProps {
  /**
   * The IAM role mapped as fine-grained access control's master user (the function's role).
   * Set by `OpenSearchTarget.newDomain`.
   * @default none: required when the construct is used on its own
   */
  readonly masterRole?: iam.IRole;

  /**
   * IAM roles of operators (the CLI: `cdc verify`, `backfill`, `redrive`, `prune`...). The domain's
   * resource policy names them beside the master role. Only the master user can map a role in
   * fine-grained access control: with `OpenSearchTarget.newDomain`, the function maps them (at
   * its container start) to an OpenSearch role limited to the pipeline's indexes. Used on its
   * own, this construct only lets them through the resource policy: map them yourself.
   * In a VPC an operator also needs a network path to port 443 (add it to `domainSecurityGroup`).
   * @default none: only the function reaches the domain
   */
  readonly operatorRoles?: readonly iam.IRole[];

  /**
   * The domain's name, 3-28 characters of a-z 0-9 -, starting with a letter. Named so its access
   * policy can name it without referring to the domain itself.
   * @default `cdc-` and a hash of the construct's path
   */
  readonly domainName?: string;

  /** @default opensearch.EngineVersion.OPENSEARCH_2_19 */
  readonly version?: opensearch.EngineVersion;

  /**
   * Data nodes: two `t3.small.search` nodes in two availability zones, the smallest that keeps a
   * replica of every shard in another zone.
   * @default { dataNodes: 2, dataNodeInstanceType: 't3.small.search', multiAzWithStandbyEnabled: false }
   */
  readonly capacity?: opensearch.CapacityConfig;

  /** Storage per data node, in GiB (gp3). @default 10 */
  readonly volumeSize?: number;

  /**
   * A VPC to place the domain and the function in, in its private subnets, with a security group
   * that lets only the function reach the domain, on port 443.
   * @default no VPC: a public endpoint, reachable with SigV4 credentials of the account only
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which subnets of `vpc` to use (one per zone is taken for the domain).
   * @default the private subnets with egress, else the isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** Retention of the domain's application and slow logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;

  /** @default RemovalPolicy.RETAIN (the domain and its logs outlive the stack) */
  readonly removalPolicy?: RemovalPolicy;
}

/** Two small data nodes in two zones: the smallest that keeps a replica of every shard in another zone. */
const DEFAULT_CAPACITY: opensearch.CapacityConfig = {
  dataNodes: 2,
  dataNodeInstanceType: 't3.small.search',
  multiAzWithStandbyEnabled: false,
};

/** The domain's application and slow logs. */
interface DomainLogs {
  readonly appLogGroup: logs.LogGroup;
  readonly slowSearchLogGroup: logs.LogGroup;
  readonly slowIndexLogGroup: logs.LogGroup;
}

/** In a VPC: the function's side of the network, and the domain's. */
interface DomainNetwork {
  readonly functionNetwork: OpenSearchTargetNetwork;
  readonly domainSecurityGroup: ec2.SecurityGroup;
  readonly domainPlacement: Pick<opensearch.DomainProps, 'vpc' | 'vpcSubnets' | 'securityGroups'>;
}

/**
 * The domain, its logs, its resource policy and (in a VPC) the security groups that let only the
 * function in; the cdk-nag findings a small dedicated domain has by design are acknowledged with
 * their reasons.
 */
export class CdcOpenSearchDomain extends Construct {
  public readonly domain: opensearch.Domain;
  /** The network the function joins (when a VPC is given). */
  public readonly functionNetwork?: OpenSearchTargetNetwork;
  /** The security group of the domain (when a VPC is given): 443 from the function only. */
  public readonly domainSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: CdcOpenSearchDomainProps) {
    super(scope, id);
    if (!props.masterRole)
      throw new ValidationError(this, 'masterRole', 'is required: the role mapped as master user of fine-grained access control');
    const capacity = props.capacity ?? DEFAULT_CAPACITY;
    const zones = zoneCount(capacity);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const domainName = this.checkedDomainName(props.domainName ?? `cdc-${this.node.addr.slice(0, 20)}`);
    const domainLogs = this.createLogs(props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy);
    const network = props.vpc ? this.createNetwork(props.vpc, props.vpcSubnets, zones) : undefined;
    if (network) {
      this.domainSecurityGroup = network.domainSecurityGroup;
      this.functionNetwork = network.functionNetwork;
    }
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName,
      version: props.version ?? opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity,
      zoneAwareness: zones > 1 ? { enabled: true, availabilityZoneCount: zones } : { enabled: false },
      ebs: { volumeSize: props.volumeSize ?? 10, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      fineGrainedAccessControl: { masterUserArn: props.masterRole.roleArn },
      logging: { appLogEnabled: true, slowSearchLogEnabled: true, slowIndexLogEnabled: true, ...domainLogs },
      suppressLogsResourcePolicy: true,
      removalPolicy,
      ...network?.domainPlacement,
    });
    const operatorRoles = this.checkedOperatorRoles(props.operatorRoles ?? []);
    this.allowOnly([props.masterRole, ...operatorRoles], domainName);
    this.acknowledgeFindings(props.vpc !== undefined, zones, operatorRoles.length > 0);
  }

  private checkedDomainName(domainName: string): string {
    if (!Token.isUnresolved(domainName) && !/^[a-z][a-z0-9-]{2,27}$/.test(domainName)) {
      throw new ValidationError(this, 'domainName', 'must be 3-28 characters of a-z 0-9 -, starting with a letter', domainName);
    }
    return domainName;
  }

  /** Each role ARN known at synth time must be a role's (a principal of the resource policy and a backend role). */
  private checkedOperatorRoles(roles: readonly iam.IRole[]): readonly iam.IRole[] {
    for (const role of roles) {
      if (Token.isUnresolved(role.roleArn)) continue;
      ValidationError.check(this, () => checkRoleArn('operatorRoles', role.roleArn));
    }
    return roles;
  }

  /** The three log groups, and the resource policy that lets the service write to them. */
  private createLogs(retention: logs.RetentionDays, removalPolicy: RemovalPolicy): DomainLogs {
    const logGroup = (name: string) => new logs.LogGroup(this, name, { retention, removalPolicy });
    const domainLogs = {
      appLogGroup: logGroup('AppLogs'),
      slowSearchLogGroup: logGroup('SlowSearchLogs'),
      slowIndexLogGroup: logGroup('SlowIndexLogs'),
    };
    // Instead of CDK's custom resource (a Lambda function) that would write the same resource policy.
    new logs.ResourcePolicy(this, 'LogsResourcePolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: Object.values(domainLogs).map((group) => group.logGroupArn),
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      ],
    });
    return domainLogs;
  }

  /** Private subnets (one per zone for the domain), and security groups: 443 from the function to the domain only. */
  private createNetwork(vpc: ec2.IVpc, subnets: ec2.SubnetSelection | undefined, zones: number): DomainNetwork {
    const subnetType = vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    const vpcSubnets = subnets ?? { subnetType };
    const domainSubnets = vpc.selectSubnets({ ...vpcSubnets, onePerAz: true }).subnets.slice(0, zones);
    const functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      description: 'DynamoDB CDC function: HTTPS to its OpenSearch domain only',
      allowAllOutbound: false,
    });
    const domainSecurityGroup = new ec2.SecurityGroup(this, 'DomainSecurityGroup', {
      vpc,
      description: 'DynamoDB CDC OpenSearch domain: HTTPS from the function only',
      allowAllOutbound: false,
    });
    domainSecurityGroup.addIngressRule(functionSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the CDC function');
    functionSecurityGroup.addEgressRule(domainSecurityGroup, ec2.Port.tcp(443), 'HTTPS to the OpenSearch domain');
    return {
      functionNetwork: { vpc, vpcSubnets, securityGroups: [functionSecurityGroup] },
      domainSecurityGroup,
      domainPlacement: { vpc, vpcSubnets: [{ subnets: domainSubnets }], securityGroups: [domainSecurityGroup] },
    };
  }

  /**
   * The resource policy names these roles only (no anonymous access); fine-grained access control
   * decides what each may do. Set on the L1 so no custom resource (a Lambda function) is needed,
   * as the L2's accessPolicies would add.
   */
  private allowOnly(roles: readonly iam.IRole[], domainName: string): void {
    const principals = roles.map((role) => role.roleArn);
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: principals.length === 1 ? principals[0] : principals },
          Action: 'es:ESHttp*',
          Resource: Stack.of(this).formatArn({ service: 'es', resource: 'domain', resourceName: `${domainName}/*` }),
        },
      ],
    };
  }

  /** The AwsSolutions findings this domain has by design, each with its reason. */
  private acknowledgeFindings(inVpc: boolean, zones: number, withOperators: boolean): void {
    const named = withOperators
      ? 'the function role and the operator roles given, which fine-grained access control maps to the pipeline indexes only'
      : 'only the function role';
    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS4',
      reason:
        'Dedicated master nodes triple the cost of a small CDC domain; two data nodes in two zones suffice for its load. Give capacity.masterNodes for a larger cluster.',
    });
    if (!inVpc) {
      const reason = `Without a VPC the endpoint is public but every request must be signed: the resource policy names ${named}; the function role's own policy allows its indexes only. Give a VPC to keep it private.`;
      Validations.of(this.domain).acknowledge({ id: 'AwsSolutions-OS1', reason });
      Validations.of(this.domain).acknowledge({ id: 'AwsSolutions-OS3', reason });
    } else {
      Validations.of(this.domain).acknowledge({
        id: 'AwsSolutions-OS3',
        reason: `In a VPC, IP-based access policies do not apply; the security group admits port 443 from the function only, and the resource policy names ${named}.`,
      });
    }
    if (zones === 1) {
      Validations.of(this.domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason: 'One data node was asked for (capacity.dataNodes = 1): zone awareness needs two or more.',
      });
    }
  }
}

/** Zones for zone awareness: one per data node, up to three. */
function zoneCount(capacity: opensearch.CapacityConfig): number {
  const dataNodes = capacity.dataNodes ?? 1;
  return dataNodes >= 3 ? 3 : dataNodes === 2 ? 2 : 1;
}
