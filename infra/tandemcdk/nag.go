package tandemcdk

import (
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// accepted is a cdk-nag finding that the construct accepts on purpose.
type accepted struct {
	rule   string // such as "AwsSolutions-IAM5"
	reason string
	// appliesTo narrows a granular rule (IAM5) to these findings, such as
	// "Resource::arn:<AWS::Partition>:ecs:...".
	appliesTo []string
}

// accept records findings in cdk-nag's documented resource metadata
// ("cdk_nag": {"rules_to_suppress": [...]}) on every CloudFormation resource
// at or under c, merging with what is there.
func accept(c constructs.IConstruct, findings ...accepted) {
	for _, child := range *c.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if res, ok := child.(awscdk.CfnResource); ok {
			addSuppressions(res, findings)
		}
	}
}

func addSuppressions(res awscdk.CfnResource, findings []accepted) {
	var rules []interface{}
	if existing, ok := res.GetMetadata(jsii.String("cdk_nag")).(map[string]interface{}); ok {
		if r, ok := existing["rules_to_suppress"].([]interface{}); ok {
			rules = r
		}
	}
	for _, f := range findings {
		rule := map[string]interface{}{"id": f.rule, "reason": f.reason}
		if len(f.appliesTo) > 0 {
			applies := make([]interface{}, len(f.appliesTo))
			for i, a := range f.appliesTo {
				applies[i] = a
			}
			rule["applies_to"] = applies
		}
		rules = append(rules, rule)
	}
	res.AddMetadata(jsii.String("cdk_nag"), map[string]interface{}{"rules_to_suppress": rules})
}

// acceptWildcards records, for cdk-nag, why each wildcard resource in a
// policy is there: one finding ID per resource and one reason per kind, so a
// wildcard of a new kind still fails the check.
func acceptWildcards(policy constructs.IConstruct, c cluster, resources []string) {
	stack := awscdk.Stack_Of(policy)
	byReason := map[string][]string{}
	for _, r := range resources {
		if !strings.Contains(r, "*") {
			continue
		}
		id := "Resource::" + flattenCfn(stack.Resolve(jsii.String(r)))
		if reason := wildcardReason(r, c); reason != "" && !slices.Contains(byReason[reason], id) {
			byReason[reason] = append(byReason[reason], id)
		}
	}
	var findings []accepted
	for _, reason := range slices.Sorted(maps.Keys(byReason)) {
		findings = append(findings, accepted{rule: "AwsSolutions-IAM5", reason: reason, appliesTo: byReason[reason]})
	}
	accept(policy, findings...)
}

// wildcardReason says why a resource pattern of the scaler needs its
// wildcard, or returns "" for a pattern it does not know.
func wildcardReason(resource string, c cluster) string {
	switch {
	case resource == "*":
		return "Only for reads whose APIs have no resource-level permissions (ecs:DescribeTaskDefinition, autoscaling:Describe*, ec2:Describe*, application-autoscaling:DescribeScalableTargets), and for ecs:ListServices and ecs:ListTasks, which an ArnEquals ecs:cluster condition keeps to the cluster."
	case strings.Contains(resource, ":autoScalingGroup:*:autoScalingGroupName/"):
		return "The pools by name: an Auto Scaling group's ARN holds a UUID assigned when the group is created, so the ARN of a named group can only be written with a wildcard in that segment."
	case strings.HasSuffix(resource, ":capacity-provider/*"):
		return "ecs:DescribeCapacityProviders (a read) on the account's capacity providers: which ones the cluster uses is only known at run time, from DescribeClusters."
	case resource == c.in("service") || resource == c.in("container-instance") || resource == c.in("task"):
		return "The cluster's own services, container instances and tasks: they are created after deployment, and the pattern names the cluster (writes also carry an ecs:cluster condition)."
	}
	return ""
}

// flattenCfn writes a resolved CloudFormation value as one string.
func flattenCfn(v interface{}) string {
	switch x := v.(type) {
	case string:
		return x
	case *string:
		return *x
	case map[string]interface{}:
		if ref, ok := x["Ref"].(string); ok {
			return "<" + ref + ">"
		}
		if att, ok := x["Fn::GetAtt"].([]interface{}); ok && len(att) == 2 {
			return "<" + flattenCfn(att[0]) + "." + flattenCfn(att[1]) + ">"
		}
		if join, ok := x["Fn::Join"].([]interface{}); ok && len(join) == 2 {
			sep := flattenCfn(join[0])
			parts, _ := join[1].([]interface{})
			s := make([]string, len(parts))
			for i, p := range parts {
				s[i] = flattenCfn(p)
			}
			return strings.Join(s, sep)
		}
	}
	return ""
}
