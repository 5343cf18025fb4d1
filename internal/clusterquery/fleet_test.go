package clusterquery_test

import (
	"time"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

// fakeTarget is a container instance with fixed properties.
type fakeTarget struct {
	name       string
	attrs      map[string]string
	id         string
	connected  bool
	version    string
	registered time.Time
	running    int
	groups     []string
}

func (f fakeTarget) Attribute(name string) (string, bool) {
	v, ok := f.attrs[name]
	return v, ok
}
func (f fakeTarget) EC2InstanceID() string   { return f.id }
func (f fakeTarget) AgentConnected() bool    { return f.connected }
func (f fakeTarget) AgentVersion() string    { return f.version }
func (f fakeTarget) RegisteredAt() time.Time { return f.registered }
func (f fakeTarget) RunningTasksCount() int  { return f.running }
func (f fakeTarget) TaskGroups() []string    { return f.groups }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fleet is the set of instances every match case is evaluated against. A
// case lists, in fleet order, the names of the instances it must match.
//
//	name      instance-type  zone        stack    cpu  size    gpu  connected version  registered            tasks  task groups
//	t2small   t2.small       us-east-1a  prod     8    small   -    true      1.14.5   2018-02-01T10:00:00Z  1      service:production family:web
//	t2medium  t2.medium      us-east-1b  dev      16   medium  -    true      1.9.0    2018-06-18T22:28:28Z  0      -
//	g2        g2.2xlarge     us-east-1d  -        10   -       ""   false     1.89.0   2019-03-01T00:00:00Z  3      database database service:web
//	g2b       g2.8xlarge     us-east-1a  -        32   -       ""   true      1.14.4   2020-01-01T00:00:00Z  5      service:ml
//	m4        m4.large       us-east-1c  -        n/a  large   -    true      1.20.0   2018-02-13T00:00:00Z  2      service:web databases
//	xt2       xt2.micro      us-east-1a  prod-eu  -    -       -    false     ""       2017-12-31T23:59:59Z  0      family:database-migrations
//	bare      (no attributes, no instance ID, no version, zero registration time, no tasks)
func fleet() []fakeTarget {
	return []fakeTarget{
		{
			name: "t2small",
			attrs: map[string]string{
				"ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1a",
				"stack": "prod", "cpu": "8", "size": "small",
			},
			id: "i-abcd1234", connected: true, version: "1.14.5",
			registered: mustTime("2018-02-01T10:00:00Z"), running: 1,
			groups: []string{"service:production", "family:web"},
		},
		{
			name: "t2medium",
			attrs: map[string]string{
				"ecs.instance-type": "t2.medium", "ecs.availability-zone": "us-east-1b",
				"stack": "dev", "cpu": "16", "size": "medium",
			},
			id: "i-wxyx7890", connected: true, version: "1.9.0",
			registered: mustTime("2018-06-18T22:28:28Z"), running: 0,
		},
		{
			name: "g2",
			attrs: map[string]string{
				"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1d",
				"cpu": "10", "gpu": "",
			},
			id: "i-0123456789abcdef0", connected: false, version: "1.89.0",
			registered: mustTime("2019-03-01T00:00:00Z"), running: 3,
			groups: []string{"database", "database", "service:web"},
		},
		{
			name: "g2b",
			attrs: map[string]string{
				"ecs.instance-type": "g2.8xlarge", "ecs.availability-zone": "us-east-1a",
				"cpu": "32", "gpu": "",
			},
			id: "i-g2b", connected: true, version: "1.14.4",
			registered: mustTime("2020-01-01T00:00:00Z"), running: 5,
			groups: []string{"service:ml"},
		},
		{
			name: "m4",
			attrs: map[string]string{
				"ecs.instance-type": "m4.large", "ecs.availability-zone": "us-east-1c",
				"cpu": "n/a", "size": "large",
			},
			id: "i-m4", connected: true, version: "1.20.0",
			registered: mustTime("2018-02-13T00:00:00Z"), running: 2,
			groups: []string{"service:web", "databases"},
		},
		{
			name: "xt2",
			attrs: map[string]string{
				"ecs.instance-type": "xt2.micro", "ecs.availability-zone": "us-east-1a",
				"stack": "prod-eu",
			},
			id: "i-xt2", connected: false, version: "",
			registered: mustTime("2017-12-31T23:59:59Z"), running: 0,
			groups: []string{"family:database-migrations"},
		},
		{name: "bare"},
	}
}

// matching returns the names of the fleet's instances that e matches, in
// fleet order.
func matching(e *clusterquery.Expr) []string {
	names := []string{}
	for _, t := range fleet() {
		if e.Match(t) {
			names = append(names, t.name)
		}
	}
	return names
}

// allBut returns the names of the fleet's instances other than those given.
func allBut(excluded ...string) []string {
	names := []string{}
next:
	for _, t := range fleet() {
		for _, x := range excluded {
			if t.name == x {
				continue next
			}
		}
		names = append(names, t.name)
	}
	return names
}

// none is the empty list of names.
var none = []string{}

// matchCase is a valid expression and the fleet instances it matches.
type matchCase struct {
	name string
	expr string
	want []string
}

// docExampleCases holds every example expression in
// reference/ecs-docs/cluster-query-language.md and
// reference/ecs-docs/task-placement-constraints.md.
var docExampleCases = []matchCase{
	// cluster-query-language.md, "Example expressions".
	{"string equality", "attribute:ecs.instance-type == t2.small", []string{"t2small"}},
	{"argument list", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", []string{"t2small", "t2medium", "g2b", "xt2"}},
	{"compound expression", "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", []string{"g2b"}},
	{"task affinity", "task:group == service:production", []string{"t2small"}},
	{"task anti-affinity", "not(task:group == database)", allBut("g2")},
	{"running task count", "runningTasksCount == 1", []string{"t2small"}},
	{"agent version", "agentVersion < 1.14.5", []string{"t2medium", "g2b"}},
	{"registration time", "registeredAt < 2018-02-13", []string{"t2small", "xt2", "bare"}},
	{"EC2 instance ID", "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", []string{"t2small", "t2medium"}},
	// task-placement-constraints.md, "Filtering by attribute".
	{"built-in attribute", "attribute:ecs.instance-type == g2.2xlarge", []string{"g2"}},
	{"custom attribute", "attribute:stack == prod", []string{"t2small"}},
	{"exclude an attribute value", "attribute:stack != prod", allBut("t2small")},
	{"multiple attribute values", "attribute:ecs.instance-type in [t2.small, t2.medium]", []string{"t2small", "t2medium"}},
	{"multiple attributes", "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a", []string{"t2small"}},
	// task-placement-constraints.md, "Example constraints".
	{"memberOf T2 instances", "attribute:ecs.instance-type =~ t2.*", []string{"t2small", "t2medium"}},
	{"memberOf databases group", "task:group == databases", []string{"m4"}},
	// cluster-query-language.md, "Compound expressions" (the shape of the
	// precedence example).
	{"precedence example", "(attribute:stack == prod or attribute:stack == dev) and attribute:cpu > 8", []string{"t2medium"}},
}

// operatorCases holds every operator, in symbol and word form, for every
// subject that accepts it.
var operatorCases = []matchCase{
	{"agentConnected ==", "agentConnected == true", []string{"t2small", "t2medium", "g2b", "m4"}},
	{"agentConnected equals", "agentConnected equals false", []string{"g2", "xt2", "bare"}},
	{"agentConnected !=", "agentConnected != true", []string{"g2", "xt2", "bare"}},
	{"agentConnected not_equals", "agentConnected not_equals false", []string{"t2small", "t2medium", "g2b", "m4"}},
	{"agentConnected in", "agentConnected in [false]", []string{"g2", "xt2", "bare"}},
	{"agentConnected !in", "agentConnected !in [true, false]", none},
	{"agentConnected not_in", "agentConnected not_in [false]", []string{"t2small", "t2medium", "g2b", "m4"}},
	{"agentConnected =~", "agentConnected =~ f.*", []string{"g2", "xt2", "bare"}},
	{"agentConnected matches", "agentConnected matches tr.e", []string{"t2small", "t2medium", "g2b", "m4"}},
	{"agentConnected !~", "agentConnected !~ t.*", []string{"g2", "xt2", "bare"}},
	{"agentConnected not_matches", "agentConnected not_matches t.*", []string{"g2", "xt2", "bare"}},

	{"agentVersion ==", "agentVersion == 1.14.5", []string{"t2small"}},
	{"agentVersion equals, missing components are 0", "agentVersion equals 1.14.5.0", []string{"t2small"}},
	{"agentVersion !=", "agentVersion != 1.14.5", allBut("t2small")},
	{"agentVersion not_equals", "agentVersion not_equals 1.9", allBut("t2medium")},
	{"agentVersion >", "agentVersion > 1.14.5", []string{"g2", "m4"}},
	{"agentVersion greater_than", "agentVersion greater_than 1.14.4", []string{"t2small", "g2", "m4"}},
	{"agentVersion >=", "agentVersion >= 1.14.5", []string{"t2small", "g2", "m4"}},
	{"agentVersion greater_than_equal", "agentVersion greater_than_equal 1.20", []string{"g2", "m4"}},
	{"agentVersion <", "agentVersion < 1.14.5", []string{"t2medium", "g2b"}},
	{"agentVersion less_than", "agentVersion less_than 1.10.0", []string{"t2medium"}},
	{"agentVersion <=", "agentVersion <= 1.14.5", []string{"t2small", "t2medium", "g2b"}},
	{"agentVersion less_than_equal", "agentVersion less_than_equal 1.9.0", []string{"t2medium"}},

	{"attribute ==", "attribute:stack == prod", []string{"t2small"}},
	{"attribute equals", "attribute:stack equals dev", []string{"t2medium"}},
	{"attribute !=", "attribute:stack != prod", allBut("t2small")},
	{"attribute not_equals", "attribute:stack not_equals dev", allBut("t2medium")},
	{"attribute > numeric", "attribute:cpu > 10", []string{"t2medium", "g2b", "m4"}}, // m4: "n/a" > "10" as strings
	{"attribute greater_than numeric", "attribute:cpu greater_than 8", []string{"t2medium", "g2", "g2b", "m4"}},
	{"attribute >= numeric", "attribute:cpu >= 10", []string{"t2medium", "g2", "g2b", "m4"}},
	{"attribute greater_than_equal numeric", "attribute:cpu greater_than_equal 16.0", []string{"t2medium", "g2b", "m4"}},
	{"attribute < numeric", "attribute:cpu < 10", []string{"t2small"}}, // not "16" < "10" as strings would say
	{"attribute less_than numeric exponent", "attribute:cpu less_than 1e1", []string{"t2small"}},
	{"attribute <= numeric", "attribute:cpu <= 10", []string{"t2small", "g2"}},
	{"attribute less_than_equal numeric", "attribute:cpu less_than_equal 8", []string{"t2small"}},
	{"attribute > string", "attribute:size > m", []string{"t2small", "t2medium"}},
	{"attribute < string", "attribute:size < medium", []string{"m4"}},
	{"attribute >= string", "attribute:size >= medium", []string{"t2small", "t2medium"}},
	{"attribute <= string", "attribute:size <= medium", []string{"t2medium", "m4"}},
	{"attribute exists", "attribute:gpu exists", []string{"g2", "g2b"}},
	{"attribute !exists", "attribute:gpu !exists", allBut("g2", "g2b")},
	{"attribute not_exists", "attribute:gpu not_exists", allBut("g2", "g2b")},
	{"attribute in", "attribute:ecs.availability-zone in [us-east-1a, 'us-east-1c']", []string{"t2small", "g2b", "m4", "xt2"}},
	{"attribute !in", "attribute:ecs.availability-zone !in [us-east-1a]", []string{"t2medium", "g2", "m4", "bare"}},
	{"attribute not_in", "attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b, us-east-1c, us-east-1d]", []string{"bare"}},
	{"attribute =~", `attribute:ecs.instance-type =~ g2\..*`, []string{"g2", "g2b"}},
	{"attribute matches", `attribute:ecs.instance-type matches .*\.large`, []string{"m4"}},
	{"attribute !~", "attribute:ecs.instance-type !~ g2.*", allBut("g2", "g2b")},
	{"attribute not_matches", "attribute:ecs.instance-type not_matches .*2.*", []string{"m4", "bare"}},

	{"ec2InstanceId ==", "ec2InstanceId == i-abcd1234", []string{"t2small"}},
	{"ec2InstanceId equals", "ec2InstanceId equals 'i-m4'", []string{"m4"}},
	{"ec2InstanceId !=", "ec2InstanceId != i-abcd1234", allBut("t2small")},
	{"ec2InstanceId not_equals", `ec2InstanceId not_equals "i-m4"`, allBut("m4")},
	{"ec2InstanceId in", "ec2InstanceId in [i-g2b, i-xt2]", []string{"g2b", "xt2"}},
	{"ec2InstanceId !in", "ec2InstanceId !in [i-g2b, i-xt2]", allBut("g2b", "xt2")},
	{"ec2InstanceId not_in", "ec2InstanceId not_in [i-abcd1234]", allBut("t2small")},
	{"ec2InstanceId =~", "ec2InstanceId =~ i-[0-9a-f]{17}", []string{"g2"}},
	{"ec2InstanceId matches", "ec2InstanceId matches i-(g2b|m4)", []string{"g2b", "m4"}},
	{"ec2InstanceId !~", "ec2InstanceId !~ i-.*", []string{"bare"}},
	{"ec2InstanceId not_matches", "ec2InstanceId not_matches i-[a-z0-9]{8}", allBut("t2small", "t2medium")},

	{"registeredAt == offset zone", "registeredAt == 2018-06-18T22:28:28+00:00", []string{"t2medium"}},
	{"registeredAt == other offset", "registeredAt == 2018-06-19T00:28:28+02:00", []string{"t2medium"}},
	{"registeredAt equals Z", "registeredAt equals 2018-06-18T22:28:28Z", []string{"t2medium"}},
	{"registeredAt == no zone is UTC", "registeredAt == 2018-06-18T22:28:28", []string{"t2medium"}},
	{"registeredAt == date is midnight UTC", "registeredAt == 2018-02-13", []string{"m4"}},
	{"registeredAt !=", "registeredAt != 2018-02-13", allBut("m4")},
	{"registeredAt not_equals", "registeredAt not_equals 2018-06-18T22:28:28Z", allBut("t2medium")},
	{"registeredAt >", "registeredAt > 2018-06-18T22:28:28Z", []string{"g2", "g2b"}},
	{"registeredAt greater_than", "registeredAt greater_than 2018-02-13", []string{"t2medium", "g2", "g2b"}},
	{"registeredAt >=", "registeredAt >= 2018-02-13", []string{"t2medium", "g2", "g2b", "m4"}},
	{"registeredAt greater_than_equal", "registeredAt greater_than_equal 2019-03-01T00:00:00Z", []string{"g2", "g2b"}},
	{"registeredAt <", "registeredAt < 2018-02-13", []string{"t2small", "xt2", "bare"}},
	{"registeredAt less_than", "registeredAt less_than 2018-01-01", []string{"xt2", "bare"}},
	{"registeredAt <=", "registeredAt <= 2018-02-13", []string{"t2small", "m4", "xt2", "bare"}},
	{"registeredAt less_than_equal", "registeredAt less_than_equal 2017-12-31T23:59:59Z", []string{"xt2", "bare"}},

	{"runningTasksCount ==", "runningTasksCount == 0", []string{"t2medium", "xt2", "bare"}},
	{"runningTasksCount equals", "runningTasksCount equals 1", []string{"t2small"}},
	{"runningTasksCount !=", "runningTasksCount != 0", []string{"t2small", "g2", "g2b", "m4"}},
	{"runningTasksCount not_equals", "runningTasksCount not_equals 3", allBut("g2")},
	{"runningTasksCount >", "runningTasksCount > 2", []string{"g2", "g2b"}},
	{"runningTasksCount greater_than", "runningTasksCount greater_than 0", []string{"t2small", "g2", "g2b", "m4"}},
	{"runningTasksCount >=", "runningTasksCount >= 3", []string{"g2", "g2b"}},
	{"runningTasksCount greater_than_equal", "runningTasksCount greater_than_equal 5", []string{"g2b"}},
	{"runningTasksCount <", "runningTasksCount < 2", []string{"t2small", "t2medium", "xt2", "bare"}},
	{"runningTasksCount less_than", "runningTasksCount less_than 1", []string{"t2medium", "xt2", "bare"}},
	{"runningTasksCount <=", "runningTasksCount <= 2", []string{"t2small", "t2medium", "m4", "xt2", "bare"}},
	{"runningTasksCount less_than_equal", "runningTasksCount less_than_equal 0", []string{"t2medium", "xt2", "bare"}},

	{"task:group ==", "task:group == service:web", []string{"g2", "m4"}},
	{"task:group equals", "task:group equals database", []string{"g2"}},
	{"task:group !=", "task:group != database", allBut("g2")},
	{"task:group not_equals", "task:group not_equals service:web", allBut("g2", "m4")},
	{"task:group in", "task:group in [service:ml, family:web]", []string{"t2small", "g2b"}},
	{"task:group !in", "task:group !in [database, databases]", allBut("g2", "m4")},
	{"task:group not_in", "task:group not_in [service:web]", allBut("g2", "m4")},
	{"task:group =~", "task:group =~ service:.*", []string{"t2small", "g2", "g2b", "m4"}},
	{"task:group matches whole group", "task:group matches database", []string{"g2"}},
	{"task:group !~", "task:group !~ service:.*", []string{"t2medium", "xt2", "bare"}},
	{"task:group not_matches", "task:group not_matches family:.*", allBut("t2small", "xt2")},
}

// syntaxCases exercise precedence, parentheses, keywords, whitespace and
// literals.
var syntaxCases = []matchCase{
	{"and binds tighter than or", "attribute:stack == prod or attribute:stack == dev and runningTasksCount > 0", []string{"t2small"}},
	{"parentheses override precedence", "(attribute:stack == prod or attribute:stack == dev) and runningTasksCount == 0", []string{"t2medium"}},
	{"not binds tighter than and", "not attribute:stack == prod and attribute:stack exists", []string{"t2medium", "xt2"}},
	{"not of a parenthesized and", "not (attribute:stack == prod and attribute:stack exists)", allBut("t2small")},
	{"! and && symbols", "!(attribute:stack == prod) && attribute:stack exists", []string{"t2medium", "xt2"}},
	{"! without parentheses and ||", "!attribute:stack == prod || agentConnected == false", allBut("t2small")},
	{"double negation", "not not attribute:stack == prod", []string{"t2small"}},
	{"!! double negation", "!!attribute:stack == prod", []string{"t2small"}},
	{"or chain", "attribute:stack == prod or attribute:stack == dev or attribute:stack == prod-eu", []string{"t2small", "t2medium", "xt2"}},
	{"and chain", "attribute:stack exists and agentConnected == true and runningTasksCount == 1", []string{"t2small"}},
	{"nested parentheses", "((attribute:stack == prod))", []string{"t2small"}},
	{"parenthesized or inside and", "attribute:stack == prod and (runningTasksCount == 1 or runningTasksCount == 2)", []string{"t2small"}},
	{"explicit grouping of and", "attribute:stack exists and (agentConnected == true and runningTasksCount == 1)", []string{"t2small"}},
	{"explicit grouping of or", "attribute:stack == prod or (attribute:stack == dev or attribute:gpu exists)", []string{"t2small", "t2medium", "g2", "g2b"}},
	{"keyword touching a parenthesis", "(attribute:stack == prod) and(runningTasksCount == 1)or(attribute:stack == dev)", []string{"t2small", "t2medium"}},
	{"not touching a parenthesis", "not(attribute:stack exists)", []string{"g2", "g2b", "m4", "bare"}},
	{"operators without spaces", "attribute:stack==prod || attribute:stack!=dev && attribute:cpu>=10", []string{"t2small", "g2", "g2b", "m4"}},
	{"&& after a bare literal is part of it", "attribute:stack == prod&&attribute:cpu>=10", none},
	{"!in and !exists without spaces", "attribute:stack!in[dev]&&attribute:gpu!exists", []string{"t2small", "m4", "xt2", "bare"}},
	{"all kinds of whitespace", "\tattribute:stack\n==\r\nprod  ", []string{"t2small"}},
	{"literal that starts with a keyword", "attribute:stack in [ordinary, prod] and attribute:andromeda !exists", []string{"t2small"}},
	{"keyword as a literal", "attribute:stack == and or attribute:stack == or", none},
	{"single-quoted literal", "attribute:stack == 'prod'", []string{"t2small"}},
	{"double-quoted literal", `attribute:stack == "prod"`, []string{"t2small"}},
	{"quoted literal with spaces and the other quote", `attribute:stack in ['a b', "it's", prod]`, []string{"t2small"}},
	{"empty quoted literal matches a valueless attribute", "attribute:gpu == ''", []string{"g2", "g2b"}},
	{"list of mixed quoting", `attribute:stack in ['prod', "dev", prod-eu]`, []string{"t2small", "t2medium", "xt2"}},
	{"list without spaces", "attribute:stack in [prod,dev]", []string{"t2small", "t2medium"}},
	{"list with spaces inside the brackets", "attribute:stack in [ prod , dev ]", []string{"t2small", "t2medium"}},
	{"list of one", "attribute:stack in [prod]", []string{"t2small"}},
	{"quoted list elements with , and ]", `attribute:stack in ['a,b', "c]", prod]`, []string{"t2small"}},
	{"bare literal with a quote inside", `attribute:stack != it's"`, allBut()},
}

// regexCases exercise regular expression arguments.
var regexCases = []matchCase{
	{"regex with parentheses and |", "attribute:ecs.instance-type =~ (t2|m4).*", []string{"t2small", "t2medium", "m4"}},
	{"regex with parentheses inside parentheses", "(attribute:ecs.instance-type =~ (t2|m4).* and attribute:ecs.availability-zone == us-east-1a)", []string{"t2small"}},
	{"regex with parentheses, then exists, inside parentheses", "(attribute:ecs.instance-type =~ (t2|m4).* and attribute:stack exists)", []string{"t2small", "t2medium"}},
	{"regex closing an enclosing parenthesis", "not(attribute:ecs.instance-type =~ (t2|m4).*)", []string{"g2", "g2b", "xt2", "bare"}},
	{"whole match: t2.* does not match xt2.micro", "attribute:ecs.instance-type =~ t2.*", []string{"t2small", "t2medium"}},
	{"explicit .* matches inside", "attribute:ecs.instance-type =~ .*t2.*", []string{"t2small", "t2medium", "xt2"}},
	{"whole match: a prefix does not match", "attribute:ecs.instance-type =~ t2", none},
	{"whole match covers top-level alternation", "attribute:ecs.instance-type =~ t2.small|m4.large", []string{"t2small", "m4"}},
	{"whole match of every task group alternative", "task:group =~ data|database", []string{"g2"}},
	{"single-quoted regex", `attribute:ecs.instance-type =~ 't2\.(small|micro)'`, []string{"t2small"}},
	{"double-quoted regex with a class", `attribute:ecs.instance-type =~ "[gm]\d\..*"`, []string{"g2", "g2b", "m4"}},
	{"bare regex starting with a class", `attribute:ecs.instance-type =~ [gm][0-9]\..*`, []string{"g2", "g2b", "m4"}},
	{"optional group", "attribute:stack =~ prod(-eu)?", []string{"t2small", "xt2"}},
	{"case-insensitive flag", `attribute:ecs.instance-type =~ (?i)T2\.SMALL`, []string{"t2small"}},
	{"quoting with \\Q...\\E", `attribute:ecs.instance-type =~ \Qt2.small\E`, []string{"t2small"}},
	{"quoting with \\Q to the end", `attribute:ecs.instance-type =~ '\Qt2.small'`, []string{"t2small"}},
	{"bounded repetition with a comma", `attribute:cpu =~ \d{2,}`, []string{"t2medium", "g2", "g2b"}},
	{"lazy quantifier", "attribute:stack =~ p.*?d", []string{"t2small"}},
	{"named group", `attribute:ecs.instance-type =~ (?<family>[a-z]+)2\..*`, []string{"t2small", "t2medium", "g2", "g2b", "xt2"}},
	{"escaped parenthesis in a bare regex", `(attribute:stack =~ prod\) or attribute:stack == dev)`, []string{"t2medium"}},
	{"regex matching the empty value", "attribute:gpu =~ .*", []string{"g2", "g2b"}},
}

// absentCases exercise attributes the instance does not have: the positive
// operators are false, and the negative ones, their negations, are true.
var absentCases = []matchCase{
	{"== on absent attribute", "attribute:missing == x", none},
	{"!= on absent attribute", "attribute:missing != x", allBut()},
	{"in on absent attribute", "attribute:missing in [x, '']", none},
	{"!in on absent attribute", "attribute:missing !in [x, '']", allBut()},
	{"=~ on absent attribute", "attribute:missing =~ .*", none},
	{"!~ on absent attribute", "attribute:missing !~ .*", allBut()},
	{"> on absent attribute", "attribute:missing > 0", none},
	{">= on absent attribute", "attribute:missing >= ''", none},
	{"< on absent attribute", "attribute:missing < 0", none},
	{"<= on absent attribute", "attribute:missing <= zzz", none},
	{"exists on absent attribute", "attribute:missing exists", none},
	{"!exists on absent attribute", "attribute:missing !exists", allBut()},
	{"!= on a partly absent attribute", "attribute:stack != prod-eu", allBut("xt2")},
	{"not of == equals !=", "not(attribute:stack == prod-eu)", allBut("xt2")},
}

// taskGroupCases exercise task:group as a set: any group satisfies the
// positive operators, none the negative ones.
var taskGroupCases = []matchCase{
	{"anti-affinity with !=", "task:group != database", allBut("g2")},
	{"anti-affinity with not(==)", "not(task:group == database)", allBut("g2")},
	{"anti-affinity with !in", "task:group !in [database]", allBut("g2")},
	{"anti-affinity with !~", "task:group !~ database", allBut("g2")},
	{"affinity with any of several groups", "task:group == database", []string{"g2"}},
	{"instances without tasks match no affinity", "task:group =~ .*", []string{"t2small", "g2", "g2b", "m4", "xt2"}},
	{"instances without tasks match every anti-affinity", "task:group !~ .*", []string{"t2medium", "bare"}},
	{"not both groups", "not(task:group == service:web and task:group == database)", allBut("g2")},
	{"spread away from a service", "task:group != service:web and agentConnected == true", []string{"t2small", "t2medium", "g2b"}},
}

// validCases returns every valid expression of the tables above.
func validCases() []matchCase {
	var all []matchCase
	for _, table := range [][]matchCase{docExampleCases, operatorCases, syntaxCases, regexCases, absentCases, taskGroupCases} {
		all = append(all, table...)
	}
	return all
}
