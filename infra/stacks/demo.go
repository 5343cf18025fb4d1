package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/tandem-ecs/tandem/infra/tandemcdk"
)

// The demo's physical names: tandem.json names the cluster, its pool and its
// services, so they are fixed at synth time.
const (
	DemoCluster     = "tandem-demo"
	DemoPool        = "tandem-demo-pool"
	DemoWebService  = "web"
	DemoAPIService  = "api"
	demoMaxPoolSize = 4
)

// DemoStackProps configure the demo stack.
type DemoStackProps struct {
	awscdk.StackProps
	// CodeDir holds the scaler's bootstrap.
	CodeDir string
	// ReservedConcurrency is the scaler Lambda's reserved concurrency; 0
	// reserves none.
	ReservedConcurrency int
}

// NewDemoStack deploys a small ECS on EC2 cluster and tandem to scale it: a
// VPC with public subnets only, one Auto Scaling group of t4g.small
// instances on the ECS-optimized Amazon Linux 2023 AMI, a web service on
// static host port 80 behind an Application Load Balancer (the service whose
// rolling deployments stall on one instance without tandem), and an API
// service on dynamic host ports behind the same load balancer.
func NewDemoStack(scope constructs.Construct, id string, props *DemoStackProps) (awscdk.Stack, error) {
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("tandem demo: a small ECS on EC2 cluster scaled by tandem")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	vpc := newDemoVpc(stack)
	ecsCluster := awsecs.NewCluster(stack, jsii.String("Cluster"), &awsecs.ClusterProps{
		ClusterName:         jsii.String(DemoCluster),
		Vpc:                 vpc,
		ContainerInsightsV2: awsecs.ContainerInsights_ENABLED,
	})
	logs := awslogs.NewLogGroup(stack, jsii.String("TaskLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_WEEK,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	instances := awsec2.NewSecurityGroup(stack, jsii.String("InstanceSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         vpc,
		Description: jsii.String("tandem demo container instances: reachable from the load balancer only"),
	})
	asg := newDemoPool(stack, vpc, instances, ecsCluster, logs)

	// Ec2Service insists that its cluster has EC2 capacity, which CDK only
	// records when Cluster.addAutoScalingGroup configures the group; that
	// would add agent permissions on Resource "*" and CDK's own drain hook,
	// which would race tandem's. The group is configured by hand instead
	// (user data and a scoped role), and the services see the cluster
	// through attributes that say it has capacity.
	cluster := awsecs.Cluster_FromClusterAttributes(stack, jsii.String("ClusterWithCapacity"), &awsecs.ClusterAttributes{
		ClusterName:    ecsCluster.ClusterName(),
		ClusterArn:     ecsCluster.ClusterArn(),
		Vpc:            vpc,
		SecurityGroups: &[]awsec2.ISecurityGroup{instances},
		HasEc2Capacity: jsii.Bool(true),
	})
	web := newDemoService(stack, cluster, logs, demoService{name: DemoWebService, image: "public.ecr.aws/docker/library/nginx:stable-alpine", cpu: 256, memoryMiB: 128, hostPort: 80})
	api := newDemoService(stack, cluster, logs, demoService{name: DemoAPIService, image: "public.ecr.aws/docker/library/httpd:2.4-alpine", cpu: 256, memoryMiB: 128, hostPort: 0})
	alb := newDemoLoadBalancer(stack, vpc)
	listener := alb.AddListener(jsii.String("Http"), &awselasticloadbalancingv2.BaseApplicationListenerProps{
		Port:                jsii.Number(80),
		DefaultTargetGroups: &[]awselasticloadbalancingv2.IApplicationTargetGroup{targetGroup(stack, vpc, web, DemoWebService)},
	})
	listener.AddTargetGroups(jsii.String("Api"), &awselasticloadbalancingv2.AddApplicationTargetGroupsProps{
		Priority:     jsii.Number(10),
		Conditions:   &[]awselasticloadbalancingv2.ListenerCondition{awselasticloadbalancingv2.ListenerCondition_PathPatterns(jsii.Strings("/api/*"))},
		TargetGroups: &[]awselasticloadbalancingv2.IApplicationTargetGroup{targetGroup(stack, vpc, api, DemoAPIService)},
	})

	policies := demoPolicies(props.CodeDir, asg)
	policies.ReservedConcurrency = props.ReservedConcurrency
	tandem, err := tandemcdk.NewAutoscaler(stack, "Tandem", policies)
	if err != nil {
		return nil, err
	}
	output(stack, "Tandem", tandem)
	newPoolTeardown(stack, asg, tandem.PoolSettings[DemoPool])
	acceptDemoFindings(stack, alb, asg)
	return stack, nil
}

// newDemoVpc returns a VPC with public subnets in two zones and no NAT
// gateway: the instances get public addresses and reach ECS, the registry
// and CloudWatch directly, which saves a NAT gateway's hourly charge and
// data processing. Their security group admits only the load balancer.
func newDemoVpc(stack awscdk.Stack) awsec2.Vpc {
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		IpAddresses: awsec2.IpAddresses_Cidr(jsii.String("10.42.0.0/16")),
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24)},
		},
	})
	flowLogs := awslogs.NewLogGroup(stack, jsii.String("FlowLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_WEEK,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	vpc.AddFlowLog(jsii.String("RejectedTraffic"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
		TrafficType: awsec2.FlowLogTrafficType_REJECT,
	})
	return vpc
}

// newDemoPool returns the cluster's Auto Scaling group. It sets no desired
// capacity: tandem owns it, and a value here would reset it on every
// deployment.
func newDemoPool(stack awscdk.Stack, vpc awsec2.IVpc, sg awsec2.ISecurityGroup, cluster awsecs.Cluster, logs awslogs.ILogGroup) awsautoscaling.AutoScalingGroup {
	userData := awsec2.UserData_ForLinux(nil)
	userData.AddCommands(jsii.String("echo ECS_CLUSTER=" + DemoCluster + " >> /etc/ecs/ecs.config"))
	template := awsec2.NewLaunchTemplate(stack, jsii.String("LaunchTemplate"), &awsec2.LaunchTemplateProps{
		InstanceType: awsec2.NewInstanceType(jsii.String("t4g.small")),
		// The AMI ID comes from the public SSM parameter at deploy time.
		MachineImage:             awsecs.EcsOptimizedImage_AmazonLinux2023(awsecs.AmiHardwareType_ARM, nil),
		UserData:                 userData,
		Role:                     agentRole(stack, cluster, logs),
		SecurityGroup:            sg,
		AssociatePublicIpAddress: jsii.Bool(true),
		RequireImdsv2:            jsii.Bool(true),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(30), &awsec2.EbsDeviceOptions{
				Encrypted:  jsii.Bool(true),
				VolumeType: awsec2.EbsDeviceVolumeType_GP3,
			}),
		}},
	})
	return awsautoscaling.NewAutoScalingGroup(stack, jsii.String("Pool"), &awsautoscaling.AutoScalingGroupProps{
		AutoScalingGroupName: jsii.String(DemoPool),
		Vpc:                  vpc,
		VpcSubnets:           &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC},
		LaunchTemplate:       template,
		MinCapacity:          jsii.Number(1),
		MaxCapacity:          jsii.Number(demoMaxPoolSize),
		// The default, written out: tandem uses no simple scaling policies.
		Cooldown: awscdk.Duration_Seconds(jsii.Number(300)),
	})
}

const instanceRoleID = "InstanceRole"

// agentRole returns the container instances' role: what the ECS agent and
// the awslogs log driver call, scoped to the demo cluster and its log group.
func agentRole(stack awscdk.Stack, cluster awsecs.Cluster, logs awslogs.ILogGroup) awsiam.Role {
	role := awsiam.NewRole(stack, jsii.String(instanceRoleID), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		Description: jsii.String("tandem demo: the ECS agent on the container instances"),
	})
	inCluster := &map[string]interface{}{"ArnEquals": map[string]interface{}{"ecs:cluster": cluster.ClusterArn()}}
	for _, s := range []*awsiam.PolicyStatementProps{
		{
			Sid:       jsii.String("RegisterWithCluster"),
			Actions:   jsii.Strings("ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance", "ecs:SubmitAttachmentStateChanges", "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange"),
			Resources: jsii.Strings(*cluster.ClusterArn()),
		},
		{
			Sid:        jsii.String("AgentSession"),
			Actions:    jsii.Strings("ecs:Poll", "ecs:StartTelemetrySession"),
			Resources:  jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("ecs"), Resource: jsii.String("container-instance"), ResourceName: jsii.String(DemoCluster + "/*"), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME})),
			Conditions: inCluster,
		},
		{
			// DiscoverPollEndpoint has no resource-level permissions.
			Sid:       jsii.String("DiscoverPollEndpoint"),
			Actions:   jsii.Strings("ecs:DiscoverPollEndpoint"),
			Resources: jsii.Strings("*"),
		},
	} {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(s))
	}
	logs.GrantWrite(role)
	return role
}

type demoService struct {
	name      string
	image     string
	cpu       float64
	memoryMiB float64
	// hostPort is 80 (static: one task per instance) or 0 (dynamic).
	hostPort float64
}

// newDemoService returns an ECS service in bridge mode. It sets no desired
// count: tandem owns it.
func newDemoService(stack awscdk.Stack, cluster awsecs.ICluster, logs awslogs.ILogGroup, s demoService) awsecs.Ec2Service {
	td := awsecs.NewEc2TaskDefinition(stack, jsii.String(s.name+"Task"), nil)
	td.AddContainer(jsii.String(s.name), &awsecs.ContainerDefinitionOptions{
		Image:                awsecs.ContainerImage_FromRegistry(jsii.String(s.image), nil),
		Cpu:                  jsii.Number(s.cpu),
		MemoryReservationMiB: jsii.Number(s.memoryMiB),
		PortMappings:         &[]*awsecs.PortMapping{{ContainerPort: jsii.Number(80), HostPort: jsii.Number(s.hostPort)}},
		Logging:              awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{StreamPrefix: jsii.String(s.name), LogGroup: logs}),
	})
	return awsecs.NewEc2Service(stack, jsii.String(s.name+"Service"), &awsecs.Ec2ServiceProps{
		Cluster:           cluster,
		TaskDefinition:    td,
		ServiceName:       jsii.String(s.name),
		MinHealthyPercent: jsii.Number(100),
		MaxHealthyPercent: jsii.Number(200),
		CircuitBreaker:    &awsecs.DeploymentCircuitBreaker{Enable: jsii.Bool(true), Rollback: jsii.Bool(true)},
	})
}

// targetGroup returns the load balancer's target group of a service's
// container port 80, health-checked on whatever host port the task got.
func targetGroup(stack awscdk.Stack, vpc awsec2.IVpc, service awsecs.Ec2Service, name string) awselasticloadbalancingv2.ApplicationTargetGroup {
	return awselasticloadbalancingv2.NewApplicationTargetGroup(stack, jsii.String(name+"Targets"), &awselasticloadbalancingv2.ApplicationTargetGroupProps{
		Vpc:         vpc,
		Port:        jsii.Number(80),
		Protocol:    awselasticloadbalancingv2.ApplicationProtocol_HTTP,
		HealthCheck: &awselasticloadbalancingv2.HealthCheck{Path: jsii.String("/"), Port: jsii.String("traffic-port")},
		Targets: &[]awselasticloadbalancingv2.IApplicationLoadBalancerTarget{
			service.LoadBalancerTarget(&awsecs.LoadBalancerTargetOptions{ContainerName: jsii.String(name), ContainerPort: jsii.Number(80)}),
		},
	})
}

// newDemoLoadBalancer returns an internet-facing Application Load Balancer.
func newDemoLoadBalancer(stack awscdk.Stack, vpc awsec2.IVpc) awselasticloadbalancingv2.ApplicationLoadBalancer {
	alb := awselasticloadbalancingv2.NewApplicationLoadBalancer(stack, jsii.String("LoadBalancer"), &awselasticloadbalancingv2.ApplicationLoadBalancerProps{
		Vpc:                     vpc,
		InternetFacing:          jsii.Bool(true),
		DropInvalidHeaderFields: jsii.Bool(true),
	})
	awscdk.NewCfnOutput(stack, jsii.String("Url"), &awscdk.CfnOutputProps{
		Description: jsii.String("the demo web service; /api/ goes to the API service"),
		Value:       jsii.String("http://" + *alb.LoadBalancerDnsName() + "/"),
	})
	return alb
}

// demoPolicies are the demo's scaling policies: CPU for the web service,
// memory for the API, both with alarms the construct creates.
func demoPolicies(codeDir string, pool awsautoscaling.IAutoScalingGroup) *tandemcdk.AutoscalerProps {
	return &tandemcdk.AutoscalerProps{
		Cluster: DemoCluster,
		Pools:   []awsautoscaling.IAutoScalingGroup{pool},
		Services: map[string]tandemcdk.ServicePolicy{
			DemoWebService: {
				MinTasks: 1, MaxTasks: 4,
				Alarms: map[string]tandemcdk.AlarmPolicy{
					"tandem-demo-web-cpu-high": stepPolicy("CPUUtilization", 60, "GreaterThanOrEqualToThreshold", 1),
					"tandem-demo-web-cpu-low":  stepPolicy("CPUUtilization", 20, "LessThanOrEqualToThreshold", -1),
				},
			},
			DemoAPIService: {
				MinTasks: 2, MaxTasks: 8,
				Alarms: map[string]tandemcdk.AlarmPolicy{
					"tandem-demo-api-memory-high": stepPolicy("MemoryUtilization", 70, "GreaterThanOrEqualToThreshold", 2),
				},
			},
		},
		CodeDir: codeDir,
	}
}

// stepPolicy adds adjustment tasks while the metric is beyond threshold for
// three minutes.
func stepPolicy(metric string, threshold float64, comparison string, adjustment int) tandemcdk.AlarmPolicy {
	step := tandemcdk.Step{Adjustment: adjustment, LowerBound: jsii.Number(0)}
	if adjustment < 0 {
		step = tandemcdk.Step{Adjustment: adjustment, UpperBound: jsii.Number(0)}
	}
	return tandemcdk.AlarmPolicy{
		AdjustmentType: tandemcdk.ChangeInCapacity,
		Steps:          []tandemcdk.Step{step},
		Metric: &tandemcdk.AlarmMetric{
			Name:              metric,
			Threshold:         threshold,
			Comparison:        comparison,
			EvaluationPeriods: 3,
		},
	}
}

// acceptDemoFindings records why the demo differs from cdk-nag's
// AwsSolutions rules. The tandem construct records its own.
func acceptDemoFindings(stack awscdk.Stack, alb awselasticloadbalancingv2.ApplicationLoadBalancer, asg awsautoscaling.AutoScalingGroup) {
	suppress(alb, "AwsSolutions-ELB2", "The demo's load balancer fronts sample nginx and httpd pages; access logs would need an S3 bucket (with its own logging and TLS policy) that the demo does not otherwise need.")
	suppress(alb, "AwsSolutions-EC23", "The load balancer is the demo's public entry point: it must accept HTTP on port 80 from anywhere. The instances accept traffic from the load balancer only.")
	suppress(asg, "AwsSolutions-AS3", "tandem reports every scaling decision in its decision log, its metrics and dashboard, and shortages on its SNS topic; per-activity Auto Scaling notifications would repeat them.")
	role := stack.Node().FindChild(jsii.String(instanceRoleID))
	suppress(role, "AwsSolutions-IAM5", "ecs:DiscoverPollEndpoint, which the ECS agent calls first, has no resource-level permissions.", "Resource::*")
	suppress(role, "AwsSolutions-IAM5", "ecs:Poll and ecs:StartTelemetrySession on the demo cluster's container instances, which register after deployment; an ecs:cluster condition also holds them to the cluster.",
		"Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:container-instance/"+DemoCluster+"/*")
}

// suppress records why c (and its children) may differ from a cdk-nag rule,
// for the findings that appliesTo lists, or all of them.
func suppress(c constructs.IConstruct, id, reason string, appliesTo ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		list := make([]interface{}, len(appliesTo))
		for i, a := range appliesTo {
			list[i] = a
		}
		s.AppliesTo = &list
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}
