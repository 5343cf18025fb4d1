package tandemcdk_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/infra/stacks"
)

// policyDoc is one policy document of a template and what kind it is.
type policyDoc struct {
	where    string
	identity bool // attached to a role (else a resource or trust policy)
	doc      any
}

func policyDocs(tpl map[string]any) []policyDoc {
	var docs []policyDoc
	for id, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		p := props(res)
		switch res["Type"] {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			docs = append(docs, policyDoc{id, true, p["PolicyDocument"]})
		case "AWS::IAM::Role":
			docs = append(docs, policyDoc{id + " (trust)", false, p["AssumeRolePolicyDocument"]})
			for i, pol := range asList(p["Policies"]) {
				docs = append(docs, policyDoc{fmt.Sprintf("%s.Policies[%d]", id, i), true, pol.(map[string]any)["PolicyDocument"]})
			}
		case "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy":
			docs = append(docs, policyDoc{id, false, p["PolicyDocument"]})
		case "AWS::KMS::Key":
			docs = append(docs, policyDoc{id, false, p["KeyPolicy"]})
		}
	}
	return docs
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// isRead tells reads by their API's verb.
func isRead(action string) bool {
	_, verb, _ := strings.Cut(action, ":")
	for _, p := range []string{"Describe", "List", "Get", "BatchGet", "Query", "Scan"} {
		if strings.HasPrefix(verb, p) {
			return true
		}
	}
	return false
}

// writesWithoutResourceTypes may be granted on "*": IAM accepts nothing
// else for them.
var writesWithoutResourceTypes = map[string]string{
	"ecs:DiscoverPollEndpoint": "the demo's ECS agent; the API has no resource-level permissions",
}

// TestNoWildcardActionsNorWildcardWrites walks every policy statement of both
// stacks: no statement allows the action "*" or a whole service ("ecs:*"),
// and no identity policy allows a write on Resource "*".
func TestNoWildcardActionsNorWildcardWrites(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			checked := 0
			for _, d := range policyDocs(s.json[name]) {
				for i, st := range statements(d.doc) {
					checked++
					where := fmt.Sprintf("%s statement %d", d.where, i)
					if st["NotAction"] != nil || st["NotResource"] != nil {
						t.Errorf("%s: NotAction/NotResource grant everything else", where)
					}
					if st["Effect"] != "Allow" {
						continue
					}
					for _, a := range strs(st["Action"]) {
						if a == "*" || strings.HasSuffix(a, ":*") && !isKeyAdmin(d, st, a) {
							t.Errorf("%s: allows %q", where, a)
						}
						if d.identity && !isRead(a) && writesWithoutResourceTypes[a] == "" && contains(strs(st["Resource"]), "*") {
							t.Errorf("%s: allows write %s on Resource \"*\"", where, a)
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("found no policy statements")
			}
		})
	}
}

// isKeyAdmin accepts CDK's default KMS key policy statement: the account
// (its root principal) may administer the key, which is what lets IAM
// policies grant its use at all.
func isKeyAdmin(d policyDoc, st map[string]any, action string) bool {
	principal, _ := flat(st["Principal"]).(map[string]any)
	root, _ := principal["AWS"].(string)
	return action == "kms:*" && !d.identity && root == "arn:<AWS::Partition>:iam::<AWS::AccountId>:root"
}

// grantOf is what one action is allowed on.
type grantOf struct {
	Resources []string
	// Cluster is the ecs:cluster ARN a condition requires, if any.
	Cluster string
}

// TestScalerPermissions lists exactly what the scaler's role allows, for the
// sample configuration: the calls tandem makes, each on the narrowest
// resource IAM accepts.
func TestScalerPermissions(t *testing.T) {
	s := synth(t)
	tpl := s.json[stacks.TandemStackName]
	fnID, fn := scaler(t, tpl)
	got := scalerGrants(t, tpl)

	cluster := arn("ecs", "cluster/sample-cluster")
	services, instances, tasks := arn("ecs", "service/sample-cluster/*"), arn("ecs", "container-instance/sample-cluster/*"), arn("ecs", "task/sample-cluster/*")
	pool := arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/sample-cluster-pool")
	tableID, _ := only(t, tpl, "AWS::DynamoDB::Table", nil)
	logs := flat(fn["LoggingConfig"]).(map[string]any)["LogGroup"].(string)
	_, invoke := only(t, tpl, "AWS::Lambda::EventInvokeConfig", func(p map[string]any) bool { return flat(p["FunctionName"]) == "<"+fnID+">" })
	failures := flat(invoke["DestinationConfig"]).(map[string]any)["OnFailure"].(map[string]any)["Destination"].(string)
	on := func(r ...string) grantOf { sort.Strings(r); return grantOf{Resources: r} }
	inCluster := func(r string) grantOf { return grantOf{Resources: []string{r}, Cluster: cluster} }
	want := map[string]grantOf{
		"ecs:DescribeClusters":                            on(cluster),
		"ecs:ListContainerInstances":                      on(cluster),
		"ecs:DescribeServices":                            on(services),
		"ecs:DescribeContainerInstances":                  on(instances),
		"ecs:DescribeTasks":                               on(tasks),
		"ecs:ListServices":                                inCluster("*"),
		"ecs:ListTasks":                                   inCluster("*"),
		"ecs:DescribeCapacityProviders":                   on(arn("ecs", "capacity-provider/*")),
		"ecs:DescribeTaskDefinition":                      on("*"),
		"autoscaling:DescribeAutoScalingGroups":           on("*"),
		"autoscaling:DescribeScalingActivities":           on("*"),
		"autoscaling:DescribePolicies":                    on("*"),
		"autoscaling:DescribeAutoScalingInstances":        on("*"),
		"ec2:DescribeInstanceTypes":                       on("*"),
		"ec2:DescribeLaunchTemplateVersions":              on("*"),
		"ec2:DescribeInstances":                           on("*"),
		"application-autoscaling:DescribeScalableTargets": on("*"),
		"cloudwatch:DescribeAlarms": on(arn("cloudwatch", "alarm:sample-queue-backlog"),
			arn("cloudwatch", "alarm:sample-web-cpu-high"), arn("cloudwatch", "alarm:sample-web-cpu-low")),
		"ecs:UpdateService":                               inCluster(services),
		"ecs:UpdateContainerInstancesState":               inCluster(instances),
		"autoscaling:SetDesiredCapacity":                  on(pool),
		"autoscaling:SetInstanceProtection":               on(pool),
		"autoscaling:TerminateInstanceInAutoScalingGroup": on(pool),
		"autoscaling:CompleteLifecycleAction":             on(pool),
		"autoscaling:RecordLifecycleActionHeartbeat":      on(pool),
		"events:PutEvents":                                on(arn("events", "event-bus/default")),
		"dynamodb:GetItem":                                on("<" + tableID + ".Arn>"),
		"dynamodb:PutItem":                                on("<" + tableID + ".Arn>"),
		"dynamodb:UpdateItem":                             on("<" + tableID + ".Arn>"),
		"dynamodb:DeleteItem":                             on("<" + tableID + ".Arn>"),
		"logs:CreateLogStream":                            on(strings.TrimSuffix(logs, ">") + ".Arn>"),
		"logs:PutLogEvents":                               on(strings.TrimSuffix(logs, ">") + ".Arn>"),
		"sqs:SendMessage":                                 on(failures),
		"sqs:GetQueueAttributes":                          on(failures),
		"sqs:GetQueueUrl":                                 on(failures),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scaler permissions (-want +got):\n%s", diff)
	}
}

// scalerGrants returns what the scaler's role allows, by action.
func scalerGrants(t *testing.T, tpl map[string]any) map[string]grantOf {
	t.Helper()
	_, fn := scaler(t, tpl)
	role := strings.TrimSuffix(strings.TrimPrefix(flat(fn["Role"]).(string), "<"), ".Arn>")
	got := map[string]grantOf{}
	for _, d := range policyDocs(tpl) {
		if !d.identity || !attachedTo(tpl, d.where, role) {
			continue
		}
		for _, st := range statements(d.doc) {
			for _, a := range strs(st["Action"]) {
				g := got[a]
				g.Resources = append(g.Resources, strs(st["Resource"])...)
				sort.Strings(g.Resources)
				if c, ok := flat(st["Condition"]).(map[string]any); ok {
					g.Cluster = fmt.Sprint(c["ArnEquals"].(map[string]any)["ecs:cluster"])
				}
				got[a] = g
			}
		}
	}
	return got
}

// attachedTo tells whether the policy resource id is attached to role.
func attachedTo(tpl map[string]any, id, role string) bool {
	r, ok := resources(tpl, "AWS::IAM::Policy")[id]
	return ok && contains(strs(props(r)["Roles"]), "<"+role+">")
}
