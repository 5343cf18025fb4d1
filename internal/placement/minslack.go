package placement

import "slices"

// minSlackSearchNodes are the bounds on the combinations tried per bin of
// the min-slack packings the estimator runs. Small limits do well: the
// search then looks one or two tasks ahead of a greedy fill rather than
// spending its budget on the first bins; each limit wins on some mixes.
var minSlackSearchNodes = [...]int{30, 10, 100}

// packMinSlack fills the pool's bins one at a time, each with the set of
// tasks that fills it best: minimum bin slack (Gupta and Ho, 1999), with the
// largest task that fits forced in, as in their MBS' variant. Fill is
// weighted by how much of each resource the tasks still to place need, so
// that the scarce resource is spent first and the last bins are not left
// with tasks that all want the same one. The search per bin is bounded, so
// the cost is linear in the bins opened.
//
// It declines (returns a packing without bins) when a group's constraints
// change as tasks are placed: the search does not re-evaluate them.
func (e *estimator) packMinSlack(limit int) func(*poolState, []groupCount) packing {
	return func(ps *poolState, items []groupCount) packing {
		for _, it := range items {
			if it.g.cons.isDynamic() {
				return packing{}
			}
		}
		s := &slackSearch{limit: limit}
		return e.packBins(ps, items, s.fill)
	}
}

// slackSearch is the bounded search for the best fill of one bin. Its
// slices are reused from bin to bin.
type slackSearch struct {
	limit int
	cands []int // indexes of the items the bin admits, largest first
	take  []int // per item: tasks taken on the current path
	best  []int
	// group is, per item, the index of the first item of the same ECS task
	// group (a service's tasks and its headroom are separate items of one
	// task group); byGroup counts the path's tasks per such index, for
	// distinctInstance.
	group    []int
	byGroup  []int
	bestFill float64
	nodes    int

	wCPU, wMem float64 // weight of a CPU unit and of a MiB
	cpu, mem   int64   // free on the current path
	gpu, eni   int64
	ports      []int // TCP ports taken on the current path, UDP ports negated
}

// fill returns, per item, how many tasks to put on bin b.
func (s *slackSearch) fill(b *node, items []groupCount, want []int) []int {
	s.cands = s.cands[:0]
	var needCPU, needMem float64
	for j, it := range items {
		if want[j] == 0 {
			continue
		}
		g := it.g
		needCPU += float64(want[j] * int(g.shape.CPUUnits))
		needMem += float64(want[j] * int(g.shape.MemoryMiB))
		if g.cons.admitsStatic(b) && b.fit(g.shape, g.name, g.cons.distinct, 1) > 0 {
			s.cands = append(s.cands, j)
		}
	}
	s.take = resize(s.take, len(items))
	s.best = resize(s.best, len(items))
	s.byGroup = resize(s.byGroup, len(items))
	if len(s.group) != len(items) {
		s.group = make([]int, len(items))
		for j := range items {
			s.group[j] = j
			for k := range j {
				if items[k].g.name == items[j].g.name {
					s.group[j] = k
					break
				}
			}
		}
	}
	if len(s.cands) == 0 {
		return make([]int, len(items))
	}
	slices.SortStableFunc(s.cands, func(a, b int) int {
		switch ga, gb := items[a].g.size, items[b].g.size; {
		case ga > gb:
			return -1
		case ga < gb:
			return 1
		}
		return 0
	})
	// Weigh each resource by the share of the remaining demand it makes up,
	// measured in bins of this bin's size.
	cpuBins, memBins := needCPU/float64(max(b.capCPU, 1)), needMem/float64(max(b.capMem, 1))
	if total := cpuBins + memBins; total > 0 {
		s.wCPU = cpuBins / total / float64(max(b.capCPU, 1))
		s.wMem = memBins / total / float64(max(b.capMem, 1))
	}
	s.cpu, s.mem, s.gpu, s.eni = b.cpu, b.mem, b.gpu, b.eni
	s.ports = s.ports[:0]
	s.ports = append(s.ports, b.portsTCP...)
	for _, p := range b.portsUDP {
		s.ports = append(s.ports, -p-1)
	}
	s.bestFill, s.nodes = -1, 0
	// The largest task that fits goes in first.
	first := s.cands[0]
	s.push(items[first].g, first, b)
	s.search(0, items, want, b)
	take := slices.Clone(s.best)
	for j, k := range take {
		if k > 0 {
			takeN(b, items[j].g, k)
		}
	}
	return take
}

func resize(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func (s *slackSearch) search(from int, items []groupCount, want []int, b *node) {
	s.nodes++
	used := s.wCPU*float64(b.cpu-s.cpu) + s.wMem*float64(b.mem-s.mem)
	if used > s.bestFill {
		s.bestFill = used
		copy(s.best, s.take)
	}
	for c := from; c < len(s.cands) && s.nodes < s.limit; c++ {
		j := s.cands[c]
		g := items[j].g
		if s.take[j] >= want[j] || !s.fits(g, j, b) {
			continue
		}
		mark := len(s.ports)
		s.push(g, j, b)
		s.search(c, items, want, b)
		s.pop(g, j, mark)
	}
}

func (s *slackSearch) fits(g *group, j int, b *node) bool {
	sh := g.shape
	if sh.CPUUnits > s.cpu || sh.MemoryMiB > s.mem || sh.GPUs > s.gpu || sh.ENIs > s.eni {
		return false
	}
	if g.cons.distinct && s.byGroup[s.group[j]]+b.groups[g.name] > 0 {
		return false
	}
	if sh.HasPorts() {
		if s.take[j] > 0 {
			return false
		}
		for _, p := range sh.PortsTCP {
			if slices.Contains(s.ports, p) {
				return false
			}
		}
		for _, p := range sh.PortsUDP {
			if slices.Contains(s.ports, -p-1) {
				return false
			}
		}
	}
	return true
}

func (s *slackSearch) push(g *group, j int, _ *node) {
	sh := g.shape
	s.take[j]++
	s.byGroup[s.group[j]]++
	s.cpu -= sh.CPUUnits
	s.mem -= sh.MemoryMiB
	s.gpu -= sh.GPUs
	s.eni -= sh.ENIs
	s.ports = append(s.ports, sh.PortsTCP...)
	for _, p := range sh.PortsUDP {
		s.ports = append(s.ports, -p-1)
	}
}

func (s *slackSearch) pop(g *group, j int, mark int) {
	sh := g.shape
	s.take[j]--
	s.byGroup[s.group[j]]--
	s.cpu += sh.CPUUnits
	s.mem += sh.MemoryMiB
	s.gpu += sh.GPUs
	s.eni += sh.ENIs
	s.ports = s.ports[:mark]
}
