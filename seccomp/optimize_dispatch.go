package seccomp

// dispatchLeaf is a range of syscall numbers [start, next leaf's start)
// that leads to one node: a return for an argument-independent verdict, or
// the argument checks of an argument-dependent syscall.
type dispatchLeaf struct {
	start  uint32
	size   uint64
	n      *node
	weight uint64
}

// dispatchLeaves splits the 32-bit syscall number space into leaves,
// merging neighbouring numbers that lead to the same node.
func dispatchLeaves(p *Policy, bodies []*node, def, bad *node, noCache bool) []dispatchLeaf {
	var leaves []dispatchLeaf
	add := func(start uint32, size uint64, n *node, w uint64) {
		if size == 0 {
			return
		}
		if k := len(leaves); k > 0 && leaves[k-1].n == n {
			leaves[k-1].size += size
			leaves[k-1].weight += w
			return
		}
		leaves = append(leaves, dispatchLeaf{start: start, size: size, n: n, weight: w})
	}
	end := uint64(1) << 32
	if p.Arch.X32Bit != 0 {
		end = uint64(p.Arch.X32Bit)
	}
	var cur uint64
	for i := range p.Syscalls {
		sc := &p.Syscalls[i]
		nr := uint64(sc.Nr)
		add(uint32(cur), nr-cur, def, weightUnlisted)
		f := uint64(sc.Frequency)
		if f == 0 {
			f = 1
		}
		n := bodies[i]
		var w uint64
		switch {
		case !n.isRet() && !noCache:
			w = weightArgDependent * f
		case !n.isRet():
			w = weightConstant * f
		case n == def:
			w = weightUnlisted
		case n.k == RetAllow && !noCache:
			w = weightCachedAllow * f
		default:
			w = weightConstant * f
		}
		add(sc.Nr, 1, n, w)
		cur = nr + 1
	}
	add(uint32(cur), end-cur, def, weightUnlisted)
	if end < uint64(1)<<32 {
		add(uint32(end), (uint64(1)<<32)-end, bad, weightUnlisted)
	}
	return leaves
}

// intervalTree is the optimal alphabetic search tree over a leaf sequence
// for given weights (cost: weighted number of comparisons), found by
// dynamic programming with Knuth's bound on the root, with one more shape:
// a one-number leaf between two leaves of the same node is split off by a
// single jeq. Costs and roots are kept for every sub-range.
type intervalTree struct {
	m      int
	leaves []dispatchLeaf
	prefix []uint64
	cost   []uint64
	root   []int32
	jeq    []bool
}

func newIntervalTree(leaves []dispatchLeaf, weights []uint64) *intervalTree {
	m := len(leaves)
	t := &intervalTree{m: m, leaves: leaves, prefix: make([]uint64, m+1),
		cost: make([]uint64, m*m), root: make([]int32, m*m), jeq: make([]bool, m*m)}
	for i, w := range weights {
		t.prefix[i+1] = t.prefix[i] + w
	}
	for i := 0; i < m; i++ {
		t.root[i*m+i] = int32(i)
	}
	for length := 2; length <= m; length++ {
		for i := 0; i+length-1 < m; i++ {
			j := i + length - 1
			lo, hi := i+1, j
			if length > 2 {
				lo = max(lo, int(t.root[i*m+j-1]))
				hi = min(hi, int(t.root[(i+1)*m+j]))
				if lo > hi {
					lo, hi = i+1, j
				}
			}
			best, bestS := ^uint64(0), lo
			for s := lo; s <= hi; s++ {
				c := t.cost[i*m+s-1] + t.cost[s*m+j]
				if c < best {
					best, bestS = c, s
				}
			}
			t.cost[i*m+j] = best + t.weight(i, j)
			t.root[i*m+j] = int32(bestS)
			if length == 3 && leaves[i].n == leaves[j].n && leaves[i+1].size == 1 {
				t.cost[i*m+j] = t.weight(i, j)
				t.jeq[i*m+j] = true
			}
		}
	}
	return t
}

func (t *intervalTree) weight(i, j int) uint64 { return t.prefix[j+1] - t.prefix[i] }

// build materializes the tree over leaves i..j.
func (t *intervalTree) build(g *dag, i, j int) *node {
	if i == j {
		return t.leaves[i].n
	}
	m := t.m
	if t.jeq[i*m+j] {
		return g.jump(opJEQ, t.leaves[i+1].start, t.leaves[i+1].n, t.leaves[i].n)
	}
	s := int(t.root[i*m+j])
	return g.jump(opJGE, t.leaves[s].start, t.build(g, s, j), t.build(g, i, s-1))
}

// Limits of the hot-leaf search: the largest hot leaf a jeq chain tests
// number by number, the longest chain, and the most hot leaves the search
// (cubic in their number) is run for; beyond that the interval tree alone
// is used.
const (
	maxChainLeafSize = 2
	maxChainLength   = 12
	maxHotLeaves     = 48
)

// optimizedDispatch builds the search tree over syscall numbers (A holds
// nr). Two candidates are costed and the cheaper is used:
//
//   - the optimal interval tree over all leaves (see intervalTree);
//   - a tree built for the hot leaves (the argument-dependent syscalls):
//     ranges cut only at hot-leaf boundaries, where a range is either split
//     by jge, or handled by a chain of jeq tests for its hot numbers
//     (heaviest first) that falls through to the interval tree for the
//     rest of the range, or, when it has no hot leaf, is that interval
//     tree. The chain reaches a hot syscall with fewer comparisons than
//     any interval split when hot numbers sit inside ranges of other
//     verdicts.
func optimizedDispatch(g *dag, p *Policy, bodies []*node, def, bad *node, noCache bool) *node {
	leaves := dispatchLeaves(p, bodies, def, bad, noCache)
	m := len(leaves)
	if m == 1 {
		return leaves[0].n
	}
	weights := make([]uint64, m)
	cold := make([]uint64, m)
	var bounds []int
	for i, l := range leaves {
		weights[i] = l.weight
		if l.n.isRet() {
			cold[i] = l.weight
		} else {
			bounds = append(bounds, i, i+1)
		}
	}
	full := newIntervalTree(leaves, weights)
	if len(bounds) == 0 || len(bounds) > 2*maxHotLeaves {
		return full.build(g, 0, m-1)
	}
	coldTree := newIntervalTree(leaves, cold)
	bounds = append(bounds, 0, m)
	bounds = uniqueSorted(bounds)
	h := &hotTree{leaves: leaves, full: full, cold: coldTree, bounds: bounds, r: len(bounds)}
	h.solve()
	if h.cost[0*h.r+h.r-1] >= full.cost[0*m+m-1] {
		return full.build(g, 0, m-1)
	}
	return h.build(g, 0, h.r-1)
}

func uniqueSorted(a []int) []int {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
	out := a[:0]
	for i, v := range a {
		if i == 0 || v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// hotTree is the dynamic program over ranges cut at hot-leaf boundaries.
type hotTree struct {
	leaves     []dispatchLeaf
	full, cold *intervalTree
	bounds     []int // leaf indexes where a range may start or end
	r          int
	cost       []uint64
	choice     []int // -1 cold interval tree, -2 single leaf, -3 chain, else split bound
}

// chainPoints lists the hot numbers of leaves i..j with their weights,
// heaviest first; ok is false when a hot leaf is too large to chain.
func (h *hotTree) chainPoints(i, j int) (pts []dispatchLeaf, ok bool) {
	for k := i; k <= j; k++ {
		l := h.leaves[k]
		if l.n.isRet() {
			continue
		}
		if l.size > maxChainLeafSize || len(pts)+int(l.size) > maxChainLength {
			return nil, false
		}
		for n := uint64(0); n < l.size; n++ {
			pts = append(pts, dispatchLeaf{start: l.start + uint32(n), size: 1, n: l.n, weight: l.weight / l.size})
		}
	}
	for a := 1; a < len(pts); a++ {
		for b := a; b > 0 && (pts[b].weight > pts[b-1].weight || pts[b].weight == pts[b-1].weight && pts[b].start < pts[b-1].start); b-- {
			pts[b], pts[b-1] = pts[b-1], pts[b]
		}
	}
	return pts, true
}

func (h *hotTree) solve() {
	r := h.r
	h.cost = make([]uint64, r*r)
	h.choice = make([]int, r*r)
	for span := 1; span < r; span++ {
		for x := 0; x+span < r; x++ {
			y := x + span
			i, j := h.bounds[x], h.bounds[y]-1
			hot := false
			for k := i; k <= j; k++ {
				if !h.leaves[k].n.isRet() {
					hot = true
					break
				}
			}
			if !hot {
				h.cost[x*r+y], h.choice[x*r+y] = h.cold.cost[i*h.cold.m+j], -1
				continue
			}
			if i == j {
				h.cost[x*r+y], h.choice[x*r+y] = 0, -2
				continue
			}
			best, choice := ^uint64(0), 0
			if pts, ok := h.chainPoints(i, j); ok {
				var c, hotW uint64
				for t, pt := range pts {
					c += pt.weight * uint64(t+1)
					hotW += pt.weight
				}
				coldW := h.full.weight(i, j) - min(hotW, h.full.weight(i, j))
				c += coldW*uint64(len(pts)) + h.cold.cost[i*h.cold.m+j]
				best, choice = c, -3
			}
			w := h.full.weight(i, j)
			for z := x + 1; z < y; z++ {
				if c := w + h.cost[x*r+z] + h.cost[z*r+y]; c < best {
					best, choice = c, z
				}
			}
			h.cost[x*r+y], h.choice[x*r+y] = best, choice
		}
	}
}

func (h *hotTree) build(g *dag, x, y int) *node {
	r := h.r
	i, j := h.bounds[x], h.bounds[y]-1
	switch c := h.choice[x*r+y]; c {
	case -1:
		return h.cold.build(g, i, j)
	case -2:
		return h.leaves[i].n
	case -3:
		pts, _ := h.chainPoints(i, j)
		n := h.cold.build(g, i, j)
		for t := len(pts) - 1; t >= 0; t-- {
			n = g.jump(opJEQ, pts[t].start, pts[t].n, n)
		}
		return n
	default:
		return g.jump(opJGE, h.leaves[h.bounds[c]].start, h.build(g, c, y), h.build(g, x, c))
	}
}
