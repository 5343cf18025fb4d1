package clusterquery_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

// instance is a minimal Target for the examples.
type instance struct {
	attributes map[string]string
	taskGroups []string
}

func (i instance) Attribute(name string) (string, bool) {
	v, ok := i.attributes[name]
	return v, ok
}
func (instance) EC2InstanceID() string    { return "i-abcd1234" }
func (instance) AgentConnected() bool     { return true }
func (instance) AgentVersion() string     { return "1.89.0" }
func (instance) RegisteredAt() time.Time  { return time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) }
func (i instance) RunningTasksCount() int { return len(i.taskGroups) }
func (i instance) TaskGroups() []string   { return i.taskGroups }

func ExampleParse() {
	e, err := clusterquery.Parse("attribute:ecs.instance-type =~ (t2|m4).* and not(task:group == database)")
	if err != nil {
		fmt.Println(err)
		return
	}
	web := instance{
		attributes: map[string]string{"ecs.instance-type": "m4.large"},
		taskGroups: []string{"service:web"},
	}
	db := instance{
		attributes: map[string]string{"ecs.instance-type": "m4.large"},
		taskGroups: []string{"service:web", "database"},
	}
	fmt.Println(e.Match(web), e.Match(db), e.Dynamic())
	fmt.Println(e)
	// Output:
	// true false true
	// attribute:ecs.instance-type =~ (t2|m4).* and not(task:group == database)
}

func ExampleSyntaxError() {
	_, err := clusterquery.Parse("attribute:ecs.instance-type =~ t2(?!\\.nano).*")
	var se *clusterquery.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset, se.Msg)
	}
	// Output: 33 lookahead (?! is not supported (Java regex feature missing from Go's RE2)
}
