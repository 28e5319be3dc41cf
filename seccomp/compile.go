package seccomp

import (
	"fmt"
	"strconv"
)

// CompileOptions controls code generation.
//
// The zero value asks for the straightforward program: syscalls tested one
// after another in policy order and every argument word reloaded for every
// comparison, the shape of upstream minijail's C compiler, kept for
// comparison and as a reference for the optimizer. Use
// DefaultCompileOptions (Optimize set) for real filters.
type CompileOptions struct {
	// Optimize selects the optimized program: a frequency-weighted search
	// tree over syscall numbers that puts argument-dependent syscalls
	// nearest the root, ranges of numbers with one argument-independent
	// verdict merged into one test, argument words loaded once per path
	// and tests whose outcome is already known left out.
	Optimize bool
	// NoActionCache tunes the optimized search tree for kernels without
	// seccomp's action cache (before Linux 5.11), where always-allowed
	// syscalls run the filter too: every listed syscall is weighted by its
	// frequency alone, minimizing the mean cost over all calls, instead of
	// argument-dependent syscalls going first and always-allowed ones last.
	// Verdicts are the same either way.
	NoActionCache bool
}

// DefaultCompileOptions returns the options filters should be compiled
// with: optimized.
func DefaultCompileOptions() CompileOptions { return CompileOptions{Optimize: true} }

// Dispatch weights: how much a call of one syscall of each class matters
// when the search tree over syscall numbers is built. Argument-dependent
// syscalls always run the filter; argument-independent non-allow verdicts
// run it too; argument-independent allows are served by the kernel's action
// cache; numbers the policy does not name should not be called at all.
const (
	weightArgDependent = 1000
	weightConstant     = 100
	weightCachedAllow  = 10
	weightUnlisted     = 1
)

// Compile translates a policy into a seccomp filter for p.Arch. Every
// program starts with the architecture check (returning p.BadArch for any
// other architecture and, on x86_64, for x32 syscall numbers), decides every
// argument-independent verdict loading only arch and nr, compares 64-bit
// arguments on both halves, and passes Validate.
func Compile(p *Policy, opts CompileOptions) (Program, error) {
	if err := checkPolicy(p); err != nil {
		return nil, err
	}
	g := newDAG()
	bad := g.ret(p.BadArch.Ret())
	def := g.ret(p.Default.Ret())
	bits := p.Arch.Bits
	hiFirst := isBigEndian(p.Arch.Order)
	bodies := make([]*node, len(p.Syscalls))
	for i := range p.Syscalls {
		rc := &ruleCompiler{g: g, sc: &p.Syscalls[i], bits: bits, bigEndian: hiFirst, linear: !opts.Optimize}
		n, err := rc.compile()
		if err != nil {
			return nil, err
		}
		if !n.isRet() && opts.Optimize {
			// A verdict the arguments cannot change is decided without
			// loading them, even when infeasible paths hid that.
			if k, ok := singleVerdict(n); ok {
				n = g.ret(k)
			}
		}
		bodies[i] = n
	}
	var dispatch *node
	if opts.Optimize {
		dispatch = optimizedDispatch(g, p, bodies, def, bad, opts.NoActionCache)
	} else {
		dispatch = def
		for i := len(p.Syscalls) - 1; i >= 0; i-- {
			dispatch = g.jump(opJEQ, p.Syscalls[i].Nr, bodies[i], dispatch)
		}
		if p.Arch.X32Bit != 0 {
			dispatch = g.jump(opJGE, p.Arch.X32Bit, bad, dispatch)
		}
	}
	root := g.load(offArch, g.jump(opJEQ, p.Arch.AuditArch, g.load(offNr, dispatch), bad))
	prog, err := layout(root)
	if err != nil {
		return nil, err
	}
	if err := Validate(prog); err != nil {
		return nil, fmt.Errorf("compile: internal error: generated program is invalid: %w", err)
	}
	return prog, nil
}

// checkPolicy rejects a Policy the back end cannot compile faithfully.
func checkPolicy(p *Policy) error {
	if p == nil {
		return fmt.Errorf("compile: nil policy")
	}
	if p.Arch == nil {
		return fmt.Errorf("compile: policy has no architecture")
	}
	if p.Arch.Bits != 32 && p.Arch.Bits != 64 {
		return fmt.Errorf("compile: architecture %s has argument width %d, want 32 or 64", p.Arch.Name, p.Arch.Bits)
	}
	if err := checkAction(p.Default); err != nil {
		return fmt.Errorf("compile: default action: %w", err)
	}
	if err := checkAction(p.BadArch); err != nil {
		return fmt.Errorf("compile: bad-architecture action: %w", err)
	}
	for i := range p.Syscalls {
		sc := &p.Syscalls[i]
		name := sc.Name
		if name == "" {
			name = "#" + strconv.FormatUint(uint64(sc.Nr), 10)
		}
		if i > 0 && sc.Nr <= p.Syscalls[i-1].Nr {
			return fmt.Errorf("compile: syscall %s (%d): syscalls not sorted by number or listed twice", name, sc.Nr)
		}
		if x := p.Arch.X32Bit; x != 0 && sc.Nr >= x {
			return fmt.Errorf("compile: syscall %s: number %#x is in the range the %s filter rejects as a foreign ABI (>= %#x)", name, sc.Nr, p.Arch.Name, x)
		}
		if err := checkAction(sc.Else); err != nil {
			return fmt.Errorf("compile: syscall %s: else action: %w", name, err)
		}
		for j, r := range sc.Rules {
			if err := checkAction(r.Action); err != nil {
				return fmt.Errorf("compile: syscall %s rule %d (%s): %w", name, j+1, r.Pos, err)
			}
			for _, c := range r.All {
				if c.Arg < 0 || c.Arg > 5 {
					return fmt.Errorf("compile: syscall %s rule %d (%s): argument index %d out of 0..5", name, j+1, r.Pos, c.Arg)
				}
				if c.Op > OpMaskIn {
					return fmt.Errorf("compile: syscall %s rule %d (%s): unknown comparison %d", name, j+1, r.Pos, c.Op)
				}
				if p.Arch.Bits == 32 && c.Value > 0xffffffff {
					return fmt.Errorf("compile: syscall %s rule %d (%s): value %#x does not fit a 32-bit argument", name, j+1, r.Pos, c.Value)
				}
			}
		}
	}
	return nil
}

// singleVerdict reports whether every path through the rules DAG n that
// the facts along it do not rule out ends in the same return value. It
// gives up (false) past a step budget.
func singleVerdict(n *node) (uint32, bool) {
	const budget = 20000
	steps := 0
	var ret uint32
	found := false
	var walk func(n *node, f facts) bool
	walk = func(n *node, f facts) bool {
		if steps++; steps > budget {
			return false
		}
		switch {
		case n.isRet():
			if found && ret != n.k {
				return false
			}
			ret, found = n.k, true
			return true
		case n.code == opLdAbs:
			f.a = int(n.k / 4)
			return walk(n.jt, f)
		}
		if f.a < 0 {
			return false
		}
		t := test{word: f.a, op: n.code, k: n.k}
		wf := f.word(t.word)
		switch wf.eval(t) {
		case 1:
			return walk(n.jt, f)
		case 0:
			return walk(n.jf, f)
		}
		return walk(n.jt, f.with(t.word, wf.learn(t, true))) && walk(n.jf, f.with(t.word, wf.learn(t, false)))
	}
	if !walk(n, emptyFacts()) || !found {
		return 0, false
	}
	return ret, true
}

func checkAction(a Action) error {
	if a.Kind > ActAllow {
		return fmt.Errorf("unknown action kind %d", a.Kind)
	}
	return nil
}

// ruleCompiler turns the rules of one syscall into a decision DAG. It walks
// the rules in order carrying the facts the path has established about the
// argument words (and which word A holds), leaves out tests whose outcome
// the facts decide, and loads a word only when A does not hold it already.
// Subgraphs are memoized on the facts relevant to the rest of the rules;
// past a node budget, the paths into a later rule forget their facts so the
// DAG stays linear in the size of the rules. In linear mode nothing is
// remembered: every test loads its word.
type ruleCompiler struct {
	g         *dag
	sc        *SyscallRules
	bits      int
	bigEndian bool
	linear    bool

	used     []uint32 // words tested by rules[i:]
	memo     map[string]*node
	variants map[[2]int]int // specializations compiled per (rule, cond)
	budget   int
	start    int
}

func (c *ruleCompiler) compile() (*node, error) {
	n := len(c.sc.Rules)
	c.used = make([]uint32, n+1)
	tests := 0
	for i := n - 1; i >= 0; i-- {
		m := c.used[i+1]
		for _, cd := range c.sc.Rules[i].All {
			lo, hi := c.words(cd.Arg)
			m |= 1 << lo
			if c.bits == 64 {
				m |= 1 << hi
			}
			tests += 4
		}
		c.used[i] = m
	}
	c.memo = make(map[string]*node)
	c.variants = make(map[[2]int]int)
	c.budget = 512 + 16*tests
	c.start = c.g.count
	return c.rulesFrom(0, emptyFacts()), nil
}

// words returns the indexes of the low and high words of argument arg.
func (c *ruleCompiler) words(arg int) (lo, hi int) {
	lo = (offArgs + 8*arg) / 4
	hi = lo + 1
	if c.bigEndian {
		lo, hi = hi, lo
	}
	return lo, hi
}

func (c *ruleCompiler) overBudget() bool { return c.g.count-c.start > c.budget }

// conds compiles rule i from its condition j on.
func (c *ruleCompiler) conds(i, j int, st facts) *node {
	rule := &c.sc.Rules[i]
	if j == len(rule.All) {
		return c.g.ret(rule.Action.Ret())
	}
	if c.linear || c.overBudget() {
		st = emptyFacts()
	}
	st = st.project(c.used[i])
	prefix := strconv.Itoa(i) + "/" + strconv.Itoa(j) + "/"
	key := prefix + st.key(c.used[i])
	if n, ok := c.memo[key]; ok {
		return n
	}
	// Each (rule, condition) is specialized for a few fact sets at most;
	// further paths share the generic version, so the DAG stays linear in
	// the size of the rules.
	if ij := [2]int{i, j}; c.variants[ij] >= maxVariants {
		st = emptyFacts()
		key = prefix
		if n, ok := c.memo[key]; ok {
			return n
		}
	} else {
		c.variants[ij]++
	}
	n := c.cond(rule.All[j], st,
		func(s facts) *node { return c.conds(i, j+1, s) },
		func(s facts) *node { return c.rulesFrom(i+1, s) })
	c.memo[key] = n
	return n
}

// rulesFrom compiles the rules from index i on.
func (c *ruleCompiler) rulesFrom(i int, st facts) *node {
	if i == len(c.sc.Rules) {
		return c.g.ret(c.sc.Else.Ret())
	}
	return c.conds(i, 0, st)
}

// maxVariants bounds the specializations of one rule condition.
const maxVariants = 4

type cont func(facts) *node

// test emits (or decides statically) one 32-bit test.
func (c *ruleCompiler) test(t test, st facts, yes, no cont) *node {
	wf := st.word(t.word)
	switch wf.eval(t) {
	case 1:
		return yes(st)
	case 0:
		return no(st)
	}
	var ny, nn *node
	if c.linear {
		ny, nn = yes(emptyFacts()), no(emptyFacts())
	} else {
		sy := st.with(t.word, wf.learn(t, true))
		sn := st.with(t.word, wf.learn(t, false))
		sy.a, sn.a = t.word, t.word
		ny, nn = yes(sy), no(sn)
	}
	j := c.g.jump(t.op, t.k, ny, nn)
	if st.a != t.word || c.linear {
		j = c.g.load(uint32(4*t.word), j)
	}
	return j
}

// cond compiles one argument comparison at the target's width.
func (c *ruleCompiler) cond(cd Cond, st facts, yes, no cont) *node {
	lo, hi := c.words(cd.Arg)
	v := cd.Value
	vl := uint32(v)
	if c.bits == 32 {
		switch cd.Op {
		case OpEq:
			return c.test(test{lo, opJEQ, vl}, st, yes, no)
		case OpNe:
			return c.test(test{lo, opJEQ, vl}, st, no, yes)
		case OpGt:
			return c.test(test{lo, opJGT, vl}, st, yes, no)
		case OpGe:
			return c.test(test{lo, opJGE, vl}, st, yes, no)
		case OpLt:
			return c.test(test{lo, opJGE, vl}, st, no, yes)
		case OpLe:
			return c.test(test{lo, opJGT, vl}, st, no, yes)
		case OpMaskAny:
			return c.test(test{lo, opJSET, vl}, st, yes, no)
		default: // OpMaskIn
			return c.test(test{lo, opJSET, ^vl}, st, no, yes)
		}
	}
	vh := uint32(v >> 32)
	// eq64 tests hi == vh && lo == vl.
	eq64 := func(st facts, yes, no cont) *node {
		return c.test(test{hi, opJEQ, vh}, st, func(s facts) *node {
			return c.test(test{lo, opJEQ, vl}, s, yes, no)
		}, no)
	}
	// gt64 tests the unsigned 64-bit arg > v.
	gt64 := func(st facts, yes, no cont) *node {
		if vl == 0xffffffff {
			return c.test(test{hi, opJGT, vh}, st, yes, no)
		}
		return c.test(test{hi, opJGT, vh}, st, yes, func(s facts) *node {
			return c.test(test{hi, opJEQ, vh}, s, func(s facts) *node {
				return c.test(test{lo, opJGT, vl}, s, yes, no)
			}, no)
		})
	}
	// ge64 tests the unsigned 64-bit arg >= v.
	ge64 := func(st facts, yes, no cont) *node {
		if vl == 0 {
			return c.test(test{hi, opJGE, vh}, st, yes, no)
		}
		return c.test(test{hi, opJGT, vh}, st, yes, func(s facts) *node {
			return c.test(test{hi, opJEQ, vh}, s, func(s facts) *node {
				return c.test(test{lo, opJGE, vl}, s, yes, no)
			}, no)
		})
	}
	switch cd.Op {
	case OpEq:
		return eq64(st, yes, no)
	case OpNe:
		return eq64(st, no, yes)
	case OpGt:
		return gt64(st, yes, no)
	case OpGe:
		return ge64(st, yes, no)
	case OpLt:
		return ge64(st, no, yes)
	case OpLe:
		return gt64(st, no, yes)
	case OpMaskAny:
		return c.test(test{hi, opJSET, vh}, st, yes, func(s facts) *node {
			return c.test(test{lo, opJSET, vl}, s, yes, no)
		})
	default: // OpMaskIn
		return c.test(test{hi, opJSET, ^vh}, st, no, func(s facts) *node {
			return c.test(test{lo, opJSET, ^vl}, s, no, yes)
		})
	}
}
