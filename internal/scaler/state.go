package scaler

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// clusterState is what one invocation leaves for the next about a cluster:
// cooldowns, scale-in timers, drains in flight, and which notifications went
// out when. It is one document in the state store, saved with optimistic
// concurrency under the cluster's lock.
type clusterState struct {
	Services  map[string]*serviceState  `json:"services,omitempty"`
	Pools     map[string]*poolState     `json:"pools,omitempty"`
	Instances map[string]*instanceState `json:"instances,omitempty"`
	// Notified says when each notification (by key) last went out.
	Notified map[string]time.Time `json:"notified,omitempty"`
}

// serviceState is a service's scaling history.
type serviceState struct {
	LastScaleOut     time.Time `json:"lastScaleOut,omitzero"`
	LastScaleOutBase int       `json:"lastScaleOutBase,omitempty"`
	LastScaleIn      time.Time `json:"lastScaleIn,omitzero"`
	// AlarmApplied says when each alarm's policy was last applied.
	AlarmApplied map[string]time.Time `json:"alarmApplied,omitempty"`
}

// poolState is a pool's scale-in timer.
type poolState struct {
	// UnneededSince is when the pool was first seen with capacity it did
	// not need, since then without interruption.
	UnneededSince time.Time `json:"unneededSince,omitzero"`
}

// instanceState is what tandem did to an instance.
type instanceState struct {
	Pool string `json:"pool,omitempty"`
	// DrainStarted is when tandem set the instance to DRAINING.
	DrainStarted time.Time `json:"drainStarted,omitzero"`
	// Reason is why tandem drains it.
	Reason string `json:"reason,omitempty"`
	// Spot is true for instances EC2 reclaims: tandem drains them but
	// neither terminates nor reactivates them.
	Spot bool `json:"spot,omitempty"`
	// Terminating is when tandem asked for the instance's termination.
	Terminating time.Time `json:"terminating,omitzero"`
	// Hook is set while a termination lifecycle hook waits on the instance.
	Hook *hookState `json:"hook,omitempty"`
}

// hookState is a lifecycle action tandem completes once the instance is
// empty.
type hookState struct {
	Name    string    `json:"name"`
	Token   string    `json:"token"`
	Started time.Time `json:"started"`
	// LastHeartbeat is when tandem last extended the hook's timeout.
	LastHeartbeat time.Time `json:"lastHeartbeat,omitzero"`
}

func decodeState(doc []byte) (*clusterState, error) {
	st := &clusterState{}
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, st); err != nil {
			return nil, fmt.Errorf("decode cluster state: %w", err)
		}
	}
	if st.Services == nil {
		st.Services = map[string]*serviceState{}
	}
	if st.Pools == nil {
		st.Pools = map[string]*poolState{}
	}
	if st.Instances == nil {
		st.Instances = map[string]*instanceState{}
	}
	if st.Notified == nil {
		st.Notified = map[string]time.Time{}
	}
	return st, nil
}

func (st *clusterState) service(name string) *serviceState {
	s := st.Services[name]
	if s == nil {
		s = &serviceState{}
		st.Services[name] = s
	}
	return s
}

func (st *clusterState) pool(name string) *poolState {
	p := st.Pools[name]
	if p == nil {
		p = &poolState{}
		st.Pools[name] = p
	}
	return p
}

// prune forgets notifications older than keep, so the document stays small.
func (st *clusterState) prune(now time.Time, keep time.Duration) {
	for k, at := range st.Notified {
		if now.Sub(at) > keep {
			delete(st.Notified, k)
		}
	}
}

// clone returns a deep copy, taken before a decision changes the state so
// that what a failed write did not do can be put back.
func (st *clusterState) clone() (*clusterState, error) {
	doc, err := st.encode()
	if err != nil {
		return nil, err
	}
	return decodeState(doc)
}

// The parts of the state a write stands for, by kind: restore puts them
// back as they were when a write did not happen.
const (
	partInstance = "instance:"
	partService  = "service:"
	partPool     = "pool:"
	partNotified = "notified:"
)

// restore puts the given parts (such as "instance:i-1") back as they are
// in prev: kept if prev has them, removed if it does not.
func (st *clusterState) restore(prev *clusterState, parts map[string]bool) {
	for part := range parts {
		kind, name, _ := strings.Cut(part, ":")
		switch kind + ":" {
		case partInstance:
			restoreEntry(st.Instances, prev.Instances, name)
		case partService:
			restoreEntry(st.Services, prev.Services, name)
		case partPool:
			restoreEntry(st.Pools, prev.Pools, name)
		case partNotified:
			restoreEntry(st.Notified, prev.Notified, name)
		}
	}
}

func restoreEntry[V any](now, prev map[string]V, key string) {
	if v, ok := prev[key]; ok {
		now[key] = v
	} else {
		delete(now, key)
	}
}

// encode returns the document, with keys in a stable order.
func (st *clusterState) encode() ([]byte, error) {
	return json.Marshal(st)
}
