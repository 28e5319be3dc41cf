package seccomp

import (
	"fmt"
)

// The code generator works on a DAG of single-instruction nodes built
// bottom-up. Nodes are hash-consed: an instruction with the same operands
// and the same successors is built once, so identical return blocks and
// identical rule tails are shared, and a conditional jump whose two
// successors are the same node is never built. The DAG is then laid out
// (see layout) into a Program.

// node is one instruction of the DAG: a return, a load (next in jt) or a
// conditional jump on A with constant K.
type node struct {
	code   uint16
	k      uint32
	jt, jf *node
	id     int
}

type nodeKey struct {
	code   uint16
	k      uint32
	jt, jf *node
}

// dag builds hash-consed nodes.
type dag struct {
	nodes map[nodeKey]*node
	count int
}

func newDAG() *dag { return &dag{nodes: make(map[nodeKey]*node)} }

func (g *dag) get(code uint16, k uint32, jt, jf *node) *node {
	key := nodeKey{code, k, jt, jf}
	if n, ok := g.nodes[key]; ok {
		return n
	}
	g.count++
	n := &node{code: code, k: k, jt: jt, jf: jf, id: g.count}
	g.nodes[key] = n
	return n
}

// ret returns a node that returns k.
func (g *dag) ret(k uint32) *node { return g.get(opRetK, k, nil, nil) }

// load returns a node loading the seccomp_data word at byte offset off into
// A and continuing with next; a load followed by a return is the return.
func (g *dag) load(off uint32, next *node) *node {
	if next.isRet() {
		return next
	}
	return g.get(opLdAbs, off, next, nil)
}

// jump returns a conditional jump node; a jump whose successors are equal
// is the successor itself.
func (g *dag) jump(code uint16, k uint32, jt, jf *node) *node {
	if jt == jf {
		return jt
	}
	return g.get(code, k, jt, jf)
}

func (n *node) isRet() bool { return n.code == opRetK }

// slot is one instruction of the laid-out program.
type slot struct {
	code   uint16
	k      uint32
	jt, jf *slot // conditional jump targets; jt is the target of a ja
}

func (s *slot) isCond() bool { return isCondJump(s.code) }

// layout orders the DAG so that every jump goes forward (reverse postorder,
// with the false successor of a jump and the successor of a load placed
// right after it whenever it is not placed yet), puts a copy of a load's
// successor right after the load when the successor is a conditional jump
// placed elsewhere (a ja otherwise), and repairs conditional jumps longer
// than 255 instructions: a far return is duplicated next to the jump (free at run
// time), any other far target is reached through a ja placed right after it.
func layout(root *node) (Program, error) {
	var order []*node
	visited := make(map[*node]bool)
	var visit func(n *node)
	visit = func(n *node) {
		if visited[n] {
			return
		}
		visited[n] = true
		if n.jt != nil {
			visit(n.jt)
		}
		if n.jf != nil {
			visit(n.jf)
		}
		order = append(order, n)
	}
	visit(root)
	for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
		order[i], order[j] = order[j], order[i]
	}
	slots := make(map[*node]*slot, len(order))
	for _, n := range order {
		slots[n] = &slot{code: n.code, k: n.k}
	}
	list := make([]*slot, 0, len(order)+8)
	type copied struct {
		s *slot
		n *node
	}
	var copies []copied
	for i, n := range order {
		s := slots[n]
		list = append(list, s)
		switch {
		case n.code == opLdAbs:
			if i+1 < len(order) && order[i+1] == n.jt {
				break
			}
			// The successor is placed elsewhere (a test shared by loads
			// of different words). A copy of a conditional jump costs
			// nothing at run time where a ja would cost an instruction;
			// its targets come after the successor, so after the copy.
			if next := n.jt; isCondJump(next.code) {
				c := &slot{code: next.code, k: next.k}
				copies = append(copies, copied{c, next})
				list = append(list, c)
				break
			}
			list = append(list, &slot{code: opJA, jt: slots[n.jt]})
		case isCondJump(n.code):
			s.jt, s.jf = slots[n.jt], slots[n.jf]
		}
	}
	for _, c := range copies {
		c.s.jt, c.s.jf = slots[c.n.jt], slots[c.n.jf]
	}
	for round := 0; ; round++ {
		if len(list) > 4*MaxInstructions || round > 4*MaxInstructions {
			return nil, fmt.Errorf("compile: program too long (%d instructions, the kernel's limit is %d)", len(list), MaxInstructions)
		}
		pos := make(map[*slot]int, len(list))
		for i, s := range list {
			pos[s] = i
		}
		far := func(from int, to *slot) bool { return pos[to]-from-1 > 255 }
		changed := false
		out := make([]*slot, 0, len(list)+8)
		for i, s := range list {
			out = append(out, s)
			if !s.isCond() {
				continue
			}
			fix := func(t *slot) *slot {
				changed = true
				var n *slot
				if t.code == opRetK {
					n = &slot{code: opRetK, k: t.k}
				} else {
					n = &slot{code: opJA, jt: t}
				}
				out = append(out, n)
				return n
			}
			if far(i, s.jt) {
				s.jt = fix(s.jt)
			}
			if far(i, s.jf) {
				s.jf = fix(s.jf)
			}
		}
		list = out
		if !changed {
			break
		}
	}
	if len(list) > MaxInstructions {
		return nil, fmt.Errorf("compile: program too long (%d instructions, the kernel's limit is %d)", len(list), MaxInstructions)
	}
	pos := make(map[*slot]int, len(list))
	for i, s := range list {
		pos[s] = i
	}
	prog := make(Program, len(list))
	for i, s := range list {
		ins := Instruction{Code: s.code, K: s.k}
		switch {
		case s.code == opJA:
			ins.K = uint32(pos[s.jt] - i - 1)
		case s.isCond():
			ins.Jt = uint8(pos[s.jt] - i - 1)
			ins.Jf = uint8(pos[s.jf] - i - 1)
		}
		prog[i] = ins
	}
	return prog, nil
}
