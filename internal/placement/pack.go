package placement

import (
	"context"
	"maps"
	"slices"
)

// placeOnPools gives what the existing instances could not take to the
// pools. Groups go largest first; each goes to the eligible pool that needs
// the fewest new instances (slots) for it, ties broken by pool name; a pool
// whose room runs out passes the rest on to the next. Within a pool, tasks go
// first-fit onto its bins in order: empty instances, launched ones, then
// slots. That is first-fit decreasing, whose count is at most 11/9·OPT + 6/9
// bins in one dimension (Dósa 2007).
//
// Then each pool's share is packed again with the dot-product heuristic
// (Panigrahy et al., "Heuristics for Vector Bin Packing", 2011): fill one bin
// at a time, each time with the task whose demand vector best aligns with the
// bin's remaining capacity. Tasks left over by every pool join in, since the
// tighter packing may find them room. The packing that places more tasks, or
// the same with fewer slots, wins, so the answer is never worse than
// first-fit decreasing.
func (e *estimator) placeOnPools(ctx context.Context) {
	for _, ps := range e.pools {
		for _, n := range ps.preOpened {
			ps.bins = append(ps.bins, n.clone())
			ps.assign = append(ps.assign, nil)
		}
	}
	// Capacity that exists already (empty and launched instances) is used
	// before any pool opens a slot, whichever pool it is in.
	for _, g := range e.groups {
		if ctx.Err() != nil {
			e.partial = true
			break
		}
		if g.remaining == 0 || g.cons.err != nil {
			continue
		}
		g.eligible = e.eligiblePools(g)
		for _, p := range g.eligible {
			ps := e.pools[p]
			if n := e.commitBins(ps, g, g.remaining, len(ps.preOpened)); n > 0 {
				ps.routed = append(ps.routed, groupCount{g, n})
				g.remaining -= n
			}
		}
	}
	for _, g := range e.groups {
		if ctx.Err() != nil {
			e.partial = true
			break
		}
		if g.remaining == 0 || g.cons.err != nil {
			continue
		}
		cands := append([]int(nil), g.eligible...)
		for g.remaining > 0 && len(cands) > 0 {
			// The pool that needs the fewest new slots for the whole group,
			// as if it had no maximum, then the pool listed first (pools
			// are sorted by name). It takes what its room allows; the rest
			// goes on to the next.
			best, bestNeed := -1, 0
			for i, p := range cands {
				if placed, _ := e.trial(ctx, e.pools[p], g, g.remaining, e.pools[p].slotLimit); placed == 0 {
					continue
				}
				_, need := e.trial(ctx, e.pools[p], g, g.remaining, unlimitedSlots)
				if best < 0 || need < bestNeed {
					best, bestNeed = i, need
				}
			}
			if best < 0 {
				break
			}
			ps := e.pools[cands[best]]
			n := e.commit(ctx, ps, g, g.remaining)
			ps.routed = append(ps.routed, groupCount{g, n})
			g.remaining -= n
			cands = append(cands[:best], cands[best+1:]...)
		}
	}
	for _, ps := range e.pools {
		if ctx.Err() != nil {
			e.partial = true
		}
		e.repack(ctx, ps)
		e.tally(ps)
	}
}

// eligiblePools returns the pools the group may use whose new instances, or
// whose empty and launched instances, can host one of its tasks.
func (e *estimator) eligiblePools(g *group) []int {
	var out []int
	for _, ps := range e.pools {
		if !g.allows(ps.idx) {
			continue
		}
		ok := false
		for _, z := range slices.Sorted(maps.Keys(ps.slotTmpl)) {
			if e.fitCount(g, ps.slotTmpl[z], 1) > 0 {
				ok = true
				break
			}
		}
		for _, b := range ps.preOpened {
			if ok {
				break
			}
			ok = e.fitCount(g, b, 1) > 0
		}
		if ok {
			out = append(out, ps.idx)
		}
	}
	return out
}

// fitCount returns how many tasks of g, up to limit, bin b takes, without
// changing b.
func (e *estimator) fitCount(g *group, b *node, limit int) int {
	if g.cons.err != nil || !g.cons.admitsStatic(b) {
		return 0
	}
	if !g.cons.isDynamic() {
		return b.fit(g.shape, g.name, g.cons.distinct, limit)
	}
	// Dynamic constraints change with every task placed: simulate.
	c := b.clone()
	n := 0
	for n < limit && g.cons.admitsDynamic(c) && c.fit(g.shape, g.name, g.cons.distinct, 1) > 0 {
		c.take(g.shape, g.name)
		n++
	}
	return n
}

// deadlineEvery is how many slots trial and commit go through between
// looks at the deadline.
const deadlineEvery = 256

// unlimitedSlots lets a trial open slots past the pool's maximum size.
const unlimitedSlots = 1 << 20

// trial returns how many of count tasks of g the pool would take first-fit
// with at most slotLimit slots, and how many slots it would open for them,
// without changing the pool.
func (e *estimator) trial(ctx context.Context, ps *poolState, g *group, count, slotLimit int) (placed, slots int) {
	left := count
	for _, b := range ps.bins {
		if left == 0 {
			return count, 0
		}
		left -= e.fitCount(g, b, left)
	}
	last := ps.slots - 1
	if !e.anyZoneTakes(ps, g) {
		return count - left, 0
	}
	for s := ps.slots; left > 0 && s < slotLimit; s++ {
		if s%deadlineEvery == 0 && ctx.Err() != nil {
			break
		}
		if k := e.fitCount(g, ps.slotTmpl[ps.slotZone(s)], left); k > 0 {
			left -= k
			last = s
		}
	}
	return count - left, last + 1 - ps.slots
}

// anyZoneTakes reports whether an empty slot of some zone of the pool takes
// a task of g.
func (e *estimator) anyZoneTakes(ps *poolState, g *group) bool {
	for _, t := range ps.slotTmpl {
		if e.fitCount(g, t, 1) > 0 {
			return true
		}
	}
	return false
}

// commit places up to count tasks of g first-fit on the pool, opening slots
// as needed, and returns how many it placed.
func (e *estimator) commit(ctx context.Context, ps *poolState, g *group, count int) int {
	left := count - e.commitBins(ps, g, count, len(ps.bins))
	for s := ps.slots; left > 0 && s < ps.slotLimit; s++ {
		if s%deadlineEvery == 0 && ctx.Err() != nil {
			e.partial = true
			break
		}
		k := e.fitCount(g, ps.slotTmpl[ps.slotZone(s)], left)
		if k == 0 {
			if !e.anyZoneTakes(ps, g) {
				break
			}
			continue
		}
		for ps.slots <= s {
			ps.bins = append(ps.bins, ps.slotBin(ps.slots))
			ps.assign = append(ps.assign, nil)
			ps.slots++
		}
		i := len(ps.bins) - 1
		takeN(ps.bins[i], g, k)
		ps.assign[i] = addCount(ps.assign[i], g, k)
		left -= k
	}
	return count - left
}

// commitBins places up to count tasks of g first-fit on the pool's first n
// bins (those open already), and returns how many it placed.
func (e *estimator) commitBins(ps *poolState, g *group, count, n int) int {
	left := count
	for i, b := range ps.bins[:n] {
		if left == 0 {
			break
		}
		if k := e.fitCount(g, b, left); k > 0 {
			takeN(b, g, k)
			ps.assign[i] = addCount(ps.assign[i], g, k)
			left -= k
		}
	}
	return count - left
}

// takeN charges k tasks of g to b.
func takeN(b *node, g *group, k int) {
	if k == 1 || g.shape.HasPorts() || g.cons.isDynamic() {
		for range k {
			b.take(g.shape, g.name)
		}
		return
	}
	n := int64(k)
	b.cpu -= g.shape.CPUUnits * n
	b.mem -= g.shape.MemoryMiB * n
	b.gpu -= g.shape.GPUs * n
	b.eni -= g.shape.ENIs * n
	if b.groups == nil {
		b.groups = map[string]int{}
	}
	b.groups[g.name] += k
	b.running += k
	b.placed += k
}

func addCount(m map[*group]int, g *group, k int) map[*group]int {
	if m == nil {
		m = map[*group]int{}
	}
	m[g] += k
	return m
}

// repack packs the pool's share again with the dot-product heuristic, with
// the tasks no pool took, and keeps that packing when it is better.
func (e *estimator) repack(ctx context.Context, ps *poolState) {
	items := append([]groupCount(nil), ps.routed...)
	routed := 0
	for _, it := range ps.routed {
		routed += it.count
	}
	for _, g := range e.groups {
		if g.remaining > 0 && g.cons.err == nil && containsInt(g.eligible, ps.idx) {
			items = append(items, groupCount{g, g.remaining})
		}
	}
	if len(items) < 2 || ctx.Err() != nil {
		return
	}
	// Keep the packing that places the most tasks, then uses the fewest
	// slots; first-fit decreasing (what routing did) wins ties.
	bestTotal, bestSlots := routed, ps.slots
	var best *packing
	packers := []func(*poolState, []groupCount) packing{e.packDotProduct}
	for _, limit := range minSlackSearchNodes {
		packers = append(packers, e.packMinSlack(limit))
	}
	for _, pack := range packers {
		p := pack(ps, items)
		if p.bins == nil {
			continue
		}
		if total := p.total(); total > bestTotal || total == bestTotal && p.slots < bestSlots {
			bestTotal, bestSlots, best = total, p.slots, &p
		}
	}
	if best == nil {
		return
	}
	for _, it := range ps.routed {
		it.g.remaining += it.count
	}
	for g, k := range best.placed {
		g.remaining -= k
	}
	ps.bins, ps.assign, ps.slots = best.bins, best.assign, best.slots
}

// packing is a way to fill a pool's bins.
type packing struct {
	bins   []*node
	assign []map[*group]int
	slots  int
	placed map[*group]int
}

func (p packing) total() int {
	n := 0
	for _, k := range p.placed {
		n += k
	}
	return n
}

// binFiller puts tasks on one bin and returns how many of each item it
// put there. want says how many of each item are still to place; items
// with dynamic constraints are never passed to a filler that cannot handle
// them.
type binFiller func(b *node, items []groupCount, want []int) []int

// packBins fills the pool's bins in order (pre-opened bins, then slots),
// each with what fill chooses, until every item is placed or the slots run
// out; pre-opened instances it did not reach get empty bins. Slots of one
// zone start identical, so when the items still wanted are the same as when
// a slot of that zone was last filled, and enough of them remain, the same
// fill is repeated without asking fill again: with thousands of slots, this
// is what keeps the packers linear.
func (e *estimator) packBins(ps *poolState, items []groupCount, fill binFiller) packing {
	want := make([]int, len(items))
	left := 0
	for i, it := range items {
		want[i] = it.count
		left += it.count
	}
	type pattern struct {
		version int
		take    []int
	}
	patterns := map[string]*pattern{}
	version := 0 // changes whenever an item runs out
	p := packing{placed: map[*group]int{}}
	lastUsed := -1
	for i := 0; left > 0; i++ {
		var b *node
		slot := i - len(ps.preOpened)
		switch {
		case slot < 0:
			b = ps.preOpened[i].clone()
		case slot < ps.slotLimit:
			b = ps.slotBin(slot)
		}
		if b == nil {
			break
		}
		var take []int
		if pat := patterns[b.zone]; slot >= 0 && pat != nil && pat.version == version && covers(want, pat.take) {
			take = pat.take
			for j, k := range take {
				if k > 0 {
					takeN(b, items[j].g, k)
				}
			}
		} else {
			take = fill(b, items, want)
			if slot >= 0 {
				patterns[b.zone] = &pattern{version: version, take: slices.Clone(take)}
			}
		}
		p.bins = append(p.bins, b)
		p.assign = append(p.assign, nil)
		for j, k := range take {
			if k == 0 {
				continue
			}
			g := items[j].g
			want[j] -= k
			left -= k
			if want[j] == 0 {
				version++
			}
			p.placed[g] += k
			p.assign[len(p.assign)-1] = addCount(p.assign[len(p.assign)-1], g, k)
			if slot >= 0 {
				lastUsed = slot
			}
		}
		if slot >= 0 && p.assign[len(p.assign)-1] == nil && !e.anyItemFitsASlot(ps, items, want) {
			break
		}
	}
	p.slots = lastUsed + 1
	return closeUnused(ps, p)
}

// covers reports whether want has at least take of every item.
func covers(want, take []int) bool {
	for j, k := range take {
		if want[j] < k {
			return false
		}
	}
	return true
}

// packDotProduct fills each bin task by task, each time with the task whose
// demand best aligns with the bin's remaining capacity.
func (e *estimator) packDotProduct(ps *poolState, items []groupCount) packing {
	return e.packBins(ps, items, fillDotProduct)
}

func fillDotProduct(b *node, items []groupCount, want []int) []int {
	take := make([]int, len(items))
	var cands []int
	for j, it := range items {
		g := it.g
		if want[j] > 0 && g.cons.admitsStatic(b) && g.cons.admitsDynamic(b) && b.fit(g.shape, g.name, g.cons.distinct, 1) > 0 {
			cands = append(cands, j)
		}
	}
	for {
		best, bestScore := -1, -1.0
		for c := 0; c < len(cands); c++ {
			j := cands[c]
			g := items[j].g
			if take[j] == want[j] || !g.cons.admitsDynamic(b) || b.fit(g.shape, g.name, g.cons.distinct, 1) == 0 {
				// It will not fit later either: the bin only fills up.
				cands = append(cands[:c], cands[c+1:]...)
				c--
				continue
			}
			if sc := alignment(g.shape, b); sc > bestScore {
				best, bestScore = j, sc
			}
		}
		if best < 0 {
			return take
		}
		b.take(items[best].g.shape, items[best].g.name)
		take[best]++
	}
}

// closeUnused drops the slots past the last one used, and gives each
// pre-opened instance the packing stopped before (every task was placed
// already) a bin of its own, empty: the pool's first bins are always its
// pre-opened instances, one each.
func closeUnused(ps *poolState, p packing) packing {
	for i := len(p.bins); i < len(ps.preOpened); i++ {
		p.bins = append(p.bins, ps.preOpened[i].clone())
		p.assign = append(p.assign, nil)
	}
	if keep := len(ps.preOpened) + p.slots; keep < len(p.bins) {
		p.bins, p.assign = p.bins[:keep], p.assign[:keep]
	}
	if p.bins == nil {
		p.bins = []*node{}
	}
	return p
}

// anyItemFitsASlot reports whether some task still wanted fits an empty slot
// of some zone.
func (e *estimator) anyItemFitsASlot(ps *poolState, items []groupCount, want []int) bool {
	for j, it := range items {
		if want[j] > 0 && e.anyZoneTakes(ps, it.g) {
			return true
		}
	}
	return false
}

// alignment is the dot product of a task's demand and a bin's remaining
// capacity, each dimension normalized by the bin's total capacity.
func alignment(s *Shape, b *node) float64 {
	cpu, mem := float64(max(b.capCPU, 1)), float64(max(b.capMem, 1))
	score := float64(s.CPUUnits)/cpu*float64(b.cpu)/cpu + float64(s.MemoryMiB)/mem*float64(b.mem)/mem
	if b.capGPU > 0 {
		gpu := float64(b.capGPU)
		score += float64(s.GPUs) / gpu * float64(b.gpu) / gpu
	}
	return score
}

// tally records where each group's tasks ended up on the pool.
func (e *estimator) tally(ps *poolState) {
	ps.slotsUsed = ps.slots
	for i, n := range ps.preOpened {
		if i < len(ps.bins) && n.kind == emptyNode {
			e.binOf[n] = ps.bins[i]
		}
	}
	for i, b := range ps.bins {
		for g, k := range ps.assign[i] {
			switch b.kind {
			case emptyNode:
				g.onExisting += k
				continue
			case launchedNode, orderedNode:
				g.onUpcoming += k
			default:
				g.onNew += k
			}
			g.perPool[ps.idx] += k
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
