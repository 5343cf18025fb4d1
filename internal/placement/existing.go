package placement

import (
	"container/heap"
	"context"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
)

// placeOnExisting places each group, largest first, onto the registered
// instances that already run tasks, choosing among them as ECS would: first
// the instances with room for the task (CPU, GPU, memory, ports, ENIs), then
// those satisfying the constraints, then the placement strategy picks one
// (task-placement.md). Empty and upcoming instances are left to the pools,
// which pack them as tightly as new ones.
func (e *estimator) placeOnExisting(ctx context.Context) {
	for _, g := range e.groups {
		if ctx.Err() != nil {
			e.partial = true
			return
		}
		if g.remaining == 0 || g.cons.err != nil {
			continue
		}
		var cands []*node
		for _, n := range e.nodes {
			if n.kind != busyNode || !g.allows(n.pool) {
				continue
			}
			if g.cons.admits(n) && n.fit(g.shape, g.name, g.cons.distinct, 1) > 0 {
				cands = append(cands, n)
			}
		}
		if len(cands) == 0 {
			continue
		}
		sel := e.newSelector(g, g.strategy, cands)
		for g.remaining > 0 {
			n := sel.pick()
			if n == nil {
				break
			}
			n.take(g.shape, g.name)
			e.onExisting[n] = addCount(e.onExisting[n], g, 1)
			g.remaining--
			g.onExisting++
			sel.placed(n, n.fit(g.shape, g.name, g.cons.distinct, 1) > 0 && g.cons.admitsDynamic(n))
		}
	}
}

// selector picks the instance ECS's placement strategy would choose for the
// next task of a group, among candidates that can take it.
type selector interface {
	// pick returns the chosen instance, or nil when none is left.
	pick() *node
	// placed tells the selector a task went to n; ok is false when n can
	// take no more of the group.
	placed(n *node, ok bool)
}

// newSelector builds the selector of a strategy chain. Strategies apply in
// order, each breaking the ties of the one before (task-placement-strategies.md).
// A leading spread over an attribute splits the candidates into buckets by
// the attribute's value, choosing the bucket with the fewest tasks of the
// service; the rest of the chain orders instances within a bucket. A spread
// over an attribute after a binpack only breaks exact ties of remaining
// resources, and tandem ignores it there.
func (e *estimator) newSelector(g *group, chain []Strategy, cands []*node) selector {
	if len(chain) > 0 && chain[0].Type == Spread {
		if attr, ok := strings.CutPrefix(chain[0].Field, "attribute:"); ok {
			b := &bucketSelector{attr: attr, counts: map[string]int{}, children: map[string]selector{}}
			for _, n := range e.nodes {
				if n.kind == busyNode || n.kind == emptyNode {
					b.counts[n.attrs[attr]] += n.groups[g.name]
				}
			}
			byValue := map[string][]*node{}
			for _, n := range cands {
				byValue[n.attrs[attr]] = append(byValue[n.attrs[attr]], n)
			}
			b.values = slices.Sorted(maps.Keys(byValue))
			for v, ns := range byValue {
				b.children[v] = e.newSelector(g, chain[1:], ns)
			}
			return b
		}
	}
	h := &heapSelector{}
	for _, s := range chain {
		switch {
		case s.Type == Binpack && strings.EqualFold(s.Field, "cpu"):
			h.keys = append(h.keys, func(n *node) int64 { return n.cpu })
		case s.Type == Binpack:
			h.keys = append(h.keys, func(n *node) int64 { return n.mem })
		case s.Type == Spread && (s.Field == "instanceId" || s.Field == "host"):
			name := g.name
			h.keys = append(h.keys, func(n *node) int64 { return int64(n.groups[name]) })
		case s.Type == Random:
			// ECS picks at random; the simulation picks by a fixed hash of
			// instance and service, so that the answer is repeatable.
			svc := g.name
			h.keys = append(h.keys, func(n *node) int64 { return randomRank(n.id, svc) })
		}
	}
	h.nodes = cands
	h.pos = make(map[*node]int, len(cands))
	for i, n := range h.nodes {
		h.pos[n] = i
	}
	heap.Init(h)
	return h
}

func randomRank(id, salt string) int64 {
	f := fnv.New64a()
	f.Write([]byte(salt))
	f.Write([]byte{0})
	f.Write([]byte(id))
	return int64(f.Sum64() >> 1)
}

// heapSelector orders candidates by strategy keys that depend on the
// instance alone (remaining CPU or memory, the service's task count on it, a
// random rank), then by instance order.
type heapSelector struct {
	keys  []func(*node) int64
	nodes []*node
	pos   map[*node]int
}

func (h *heapSelector) Len() int { return len(h.nodes) }
func (h *heapSelector) Less(i, j int) bool {
	a, b := h.nodes[i], h.nodes[j]
	for _, k := range h.keys {
		if ka, kb := k(a), k(b); ka != kb {
			return ka < kb
		}
	}
	return a.order < b.order
}
func (h *heapSelector) Swap(i, j int) {
	h.nodes[i], h.nodes[j] = h.nodes[j], h.nodes[i]
	h.pos[h.nodes[i]] = i
	h.pos[h.nodes[j]] = j
}
func (h *heapSelector) Push(x any) {
	n := x.(*node)
	h.pos[n] = len(h.nodes)
	h.nodes = append(h.nodes, n)
}
func (h *heapSelector) Pop() any {
	n := h.nodes[len(h.nodes)-1]
	h.nodes = h.nodes[:len(h.nodes)-1]
	delete(h.pos, n)
	return n
}

func (h *heapSelector) pick() *node {
	if len(h.nodes) == 0 {
		return nil
	}
	return h.nodes[0]
}

func (h *heapSelector) placed(n *node, ok bool) {
	i, found := h.pos[n]
	if !found {
		return
	}
	if ok {
		heap.Fix(h, i)
	} else {
		heap.Remove(h, i)
	}
}

// bucketSelector implements a leading spread over an attribute.
type bucketSelector struct {
	attr     string
	counts   map[string]int // the service's tasks per attribute value, on every instance
	values   []string       // the values candidates have, sorted
	children map[string]selector
}

func (b *bucketSelector) pick() *node {
	for {
		best := ""
		found := false
		for _, v := range b.values {
			if b.children[v] == nil {
				continue
			}
			if !found || b.counts[v] < b.counts[best] {
				best, found = v, true
			}
		}
		if !found {
			return nil
		}
		if n := b.children[best].pick(); n != nil {
			return n
		}
		b.children[best] = nil
	}
}

func (b *bucketSelector) placed(n *node, ok bool) {
	v := n.attrs[b.attr]
	b.counts[v]++
	if c := b.children[v]; c != nil {
		c.placed(n, ok)
	}
}
