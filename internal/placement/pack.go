package placement

import "context"

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
	for _, g := range e.groups {
		if ctx.Err() != nil {
			e.partial = true
			break
		}
		if g.remaining == 0 || g.cons.err != nil {
			continue
		}
		g.eligible = e.eligiblePools(g)
		cands := append([]int(nil), g.eligible...)
		for g.remaining > 0 && len(cands) > 0 {
			// The pool that needs the fewest new slots for the whole group,
			// as if it had no maximum, then the pool listed first (pools
			// are sorted by name). It takes what its room allows; the rest
			// goes on to the next.
			best, bestNeed := -1, 0
			for i, p := range cands {
				if placed, _ := e.trial(e.pools[p], g, g.remaining, e.pools[p].slotLimit); placed == 0 {
					continue
				}
				_, need := e.trial(e.pools[p], g, g.remaining, unlimitedSlots)
				if best < 0 || need < bestNeed {
					best, bestNeed = i, need
				}
			}
			if best < 0 {
				break
			}
			ps := e.pools[cands[best]]
			n := e.commit(ps, g, g.remaining)
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
		for _, z := range sortedKeys(ps.slotTmpl) {
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

// unlimitedSlots lets a trial open slots past the pool's maximum size.
const unlimitedSlots = 1 << 20

// trial returns how many of count tasks of g the pool would take first-fit
// with at most slotLimit slots, and how many slots it would open for them,
// without changing the pool.
func (e *estimator) trial(ps *poolState, g *group, count, slotLimit int) (placed, slots int) {
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
func (e *estimator) commit(ps *poolState, g *group, count int) int {
	left := count
	for i, b := range ps.bins {
		if left == 0 {
			break
		}
		if k := e.fitCount(g, b, left); k > 0 {
			takeN(b, g, k)
			ps.assign[i] = addCount(ps.assign[i], g, k)
			left -= k
		}
	}
	for s := ps.slots; left > 0 && s < ps.slotLimit; s++ {
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
	bins, assign, slots, placed := e.packDotProduct(ps, items)
	total := 0
	for _, k := range placed {
		total += k
	}
	if total < routed || total == routed && slots >= ps.slots {
		return
	}
	for _, it := range ps.routed {
		it.g.remaining += it.count
	}
	for g, k := range placed {
		g.remaining -= k
	}
	ps.bins, ps.assign, ps.slots = bins, assign, slots
}

// packDotProduct fills the pool's bins one at a time, each time with the
// task that best aligns with the bin's remaining capacity.
func (e *estimator) packDotProduct(ps *poolState, items []groupCount) (bins []*node, assign []map[*group]int, slots int, placed map[*group]int) {
	want := make([]int, len(items))
	left := 0
	for i, it := range items {
		want[i] = it.count
		left += it.count
	}
	placed = map[*group]int{}
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
		bins = append(bins, b)
		assign = append(assign, nil)
		for left > 0 {
			best, bestScore := -1, -1.0
			for j, it := range items {
				if want[j] == 0 {
					continue
				}
				g := it.g
				if !g.cons.admitsStatic(b) || !g.cons.admitsDynamic(b) || b.fit(g.shape, g.name, g.cons.distinct, 1) == 0 {
					continue
				}
				if sc := alignment(g.shape, b); sc > bestScore {
					best, bestScore = j, sc
				}
			}
			if best < 0 {
				break
			}
			g := items[best].g
			b.take(g.shape, g.name)
			want[best]--
			left--
			placed[g]++
			assign[len(assign)-1] = addCount(assign[len(assign)-1], g, 1)
			if slot >= 0 {
				lastUsed = slot
			}
		}
		if slot >= 0 && assign[len(assign)-1] == nil && !e.anyItemFitsASlot(ps, items, want) {
			break
		}
	}
	// Slots past the last used one stay closed.
	keep := len(ps.preOpened) + lastUsed + 1
	if keep < len(bins) {
		bins, assign = bins[:keep], assign[:keep]
	}
	return bins, assign, lastUsed + 1, placed
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
