import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/** The network the function must join to reach its OpenSearch target (a domain in a VPC). */
export interface OpenSearchTargetNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}
