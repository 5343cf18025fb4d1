package policy

import "fmt"

// PoolChange is a pool's capacity decision.
type PoolChange struct {
	Name    string
	Current int
	Desired int
}

// CapNewInstances limits what one decision adds: at most perPool new
// instances to each pool and perCluster to all of them together, taken in
// the order given (zero means no cap). It never lowers a pool below its
// current capacity, and says what it cut.
func CapNewInstances(pools []PoolChange, perPool, perCluster int) ([]PoolChange, []string) {
	out := make([]PoolChange, len(pools))
	var notes []string
	added := 0
	for i, p := range pools {
		add := max(p.Desired-p.Current, 0)
		want := add
		if perPool > 0 {
			add = min(add, perPool)
		}
		if perCluster > 0 {
			add = min(add, max(perCluster-added, 0))
		}
		added += add
		if add < want {
			notes = append(notes, fmt.Sprintf("pool %s: %d new instances capped to %d by the safety limits (maxNewInstancesPerPool %d, maxNewInstancesPerCluster %d)",
				p.Name, want, add, perPool, perCluster))
		}
		out[i] = PoolChange{Name: p.Name, Current: p.Current, Desired: max(p.Current+add, min(p.Desired, p.Current))}
	}
	return out, notes
}
