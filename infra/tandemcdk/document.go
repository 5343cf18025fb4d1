package tandemcdk

import (
	"encoding/json"
	"fmt"

	"github.com/tandem-ecs/tandem/internal/config"
)

// configFile is the name of the configuration in the Lambda's code asset.
const configFile = "tandem.json"

// document returns the configuration document the Lambda reads, checked by
// the Lambda's own parser, and its JSON.
func (p *AutoscalerProps) document(c cluster, pools []pool, stateTable string) (*Document, []byte, error) {
	d := config.Document{
		Clusters:      []config.Cluster{p.clusterConfig(c, pools)},
		Notifications: p.Notifications,
		StateTable:    stateTable,
	}
	d.Notifications.EventBus = p.eventBus()
	if p.Disabled {
		enabled := false
		d.Enabled = &enabled
	}
	data, err := encode(d)
	if err != nil {
		return nil, nil, fmt.Errorf("encode configuration: %w", err)
	}
	parsed, err := config.Parse("tandem configuration", data)
	if err != nil {
		return nil, nil, err
	}
	return parsed, append(data, '\n'), nil
}

// encode writes the document without the keys that hold their zero value:
// a zero duration ("0s") and an empty object both mean "the default" to the
// Lambda, and leaving them out keeps tandem.json readable.
func encode(d config.Document) ([]byte, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return nil, err
	}
	return json.MarshalIndent(withoutDefaults(generic), "", "  ")
}

func withoutDefaults(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		if list, ok := v.([]any); ok {
			for i, e := range list {
				list[i] = withoutDefaults(e)
			}
		}
		return v
	}
	for k, e := range m {
		e = withoutDefaults(e)
		if sub, ok := e.(map[string]any); (ok && len(sub) == 0) || e == "0s" {
			delete(m, k)
			continue
		}
		m[k] = e
	}
	return m
}

func (p *AutoscalerProps) clusterConfig(c cluster, pools []pool) config.Cluster {
	cc := config.Cluster{
		Name:                c.name,
		DryRun:              p.DryRun,
		Placement:           p.Placement,
		Limits:              p.Limits,
		ScaleIn:             p.ScaleIn,
		RegistrationTimeout: p.RegistrationTimeout,
		Cooldowns:           p.Cooldowns,
		OnConflict:          p.OnConflict,
		Services:            p.Services,
	}
	for _, pl := range pools {
		cc.Pools = append(cc.Pools, config.Pool{Name: pl.name})
	}
	return cc
}

// PropsFromDocument returns the props that configure the named cluster as
// doc does. The Lambda's settings (CodeDir, LogRetention, ...) are left at
// their defaults, and doc's stateTable is ignored: the construct creates the
// table.
func PropsFromDocument(doc *Document, clusterName string) (AutoscalerProps, error) {
	c, ok := doc.Cluster(clusterName)
	if !ok {
		return AutoscalerProps{}, fmt.Errorf("configuration has no cluster %q", clusterName)
	}
	p := AutoscalerProps{
		Cluster:             c.Name,
		Services:            c.Services,
		Placement:           c.Placement,
		Limits:              c.Limits,
		ScaleIn:             c.ScaleIn,
		Cooldowns:           c.Cooldowns,
		RegistrationTimeout: c.RegistrationTimeout,
		OnConflict:          c.OnConflict,
		DryRun:              c.DryRun,
		Disabled:            !doc.IsEnabled(),
		Notifications:       doc.Notifications,
	}
	for _, pl := range c.Pools {
		p.PoolNames = append(p.PoolNames, pl.Name)
	}
	return p, nil
}
