package seccomp

import (
	"encoding/binary"
	"math/rand"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// Test architectures built from their ABI facts, so these tests do not
// depend on the generated syscall tables.
var (
	testX86_64 = &arch.Arch{Name: "x86_64", AuditArch: 0xc000003e, Bits: 64, Order: binary.LittleEndian, X32Bit: 0x40000000}
	testI386   = &arch.Arch{Name: "i386", AuditArch: 0x40000003, Bits: 32, Order: binary.LittleEndian}
	testArm64  = &arch.Arch{Name: "aarch64", AuditArch: 0xc00000b7, Bits: 64, Order: binary.LittleEndian}
	testBE64   = &arch.Arch{Name: "be64", AuditArch: 0x80000016, Bits: 64, Order: binary.BigEndian}
)

var testArches = []*arch.Arch{testX86_64, testI386, testArm64, testBE64}

// interesting values: boundaries and high-bit patterns.
var interesting = []uint64{
	0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	0x100000000, 0x100000001, 0x1ffffffff, 0x7fffffffffffffff, 0x8000000000000000,
	0xffffffff00000000, 0xfffffffffffffffe, 0xffffffffffffffff, 0x5401, 0x80000000ffffffff,
}

// randValue picks a random argument value, mostly from interesting ones.
func randValue(r *rand.Rand, bits int) uint64 {
	var v uint64
	switch r.Intn(4) {
	case 0:
		v = r.Uint64()
	case 1:
		v = uint64(r.Intn(16))
	default:
		v = interesting[r.Intn(len(interesting))]
	}
	if bits == 32 {
		v &= 0xffffffff
	}
	return v
}

func randAction(r *rand.Rand) Action {
	k := ActionKind(r.Intn(int(ActAllow) + 1))
	if r.Intn(3) == 0 {
		k = ActAllow
	}
	a := Action{Kind: k}
	if k == ActErrno || k == ActTrace {
		a.Value = uint16(r.Intn(5))
	}
	return a
}

// randPolicy generates a random policy for a.
func randPolicy(r *rand.Rand, a *arch.Arch) *Policy {
	p := &Policy{Arch: a, Default: randAction(r), BadArch: Action{Kind: ActKillProcess}}
	if r.Intn(4) == 0 {
		p.BadArch = randAction(r)
	}
	n := r.Intn(40)
	maxNr := 60 + r.Intn(400)
	used := map[uint32]bool{}
	for i := 0; i < n; i++ {
		nr := uint32(r.Intn(maxNr))
		if used[nr] {
			continue
		}
		used[nr] = true
		sc := SyscallRules{Nr: nr, Else: randAction(r)}
		if r.Intn(3) == 0 {
			sc.Frequency = uint32(r.Intn(100))
		}
		nrules, maxConds := r.Intn(4), 4
		if r.Intn(10) == 0 {
			nrules, maxConds = r.Intn(12), 6
		}
		if r.Intn(2) == 0 {
			nrules = 0
			sc.Else = Action{Kind: ActAllow}
		}
		for j := 0; j < nrules; j++ {
			rule := Rule{Action: randAction(r)}
			nc := r.Intn(maxConds)
			for k := 0; k < nc; k++ {
				rule.All = append(rule.All, Cond{Arg: r.Intn(3 + maxConds/4), Op: Op(r.Intn(int(OpMaskIn) + 1)), Value: randValue(r, a.Bits)})
			}
			sc.Rules = append(sc.Rules, rule)
		}
		p.Syscalls = append(p.Syscalls, sc)
	}
	sortSyscalls(p)
	return p
}

func sortSyscalls(p *Policy) {
	s := p.Syscalls
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Nr < s[j-1].Nr; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// inputsFor returns inputs that exercise p: every listed number with
// argument values taken from the policy's constants and their neighbours,
// unlisted numbers, foreign arches and x32 numbers.
func inputsFor(r *rand.Rand, p *Policy, count int) []SeccompData {
	var vals []uint64
	for _, sc := range p.Syscalls {
		for _, rule := range sc.Rules {
			for _, c := range rule.All {
				vals = append(vals, c.Value, c.Value+1, c.Value-1, ^c.Value, c.Value&0xffffffff, c.Value>>32,
					c.Value|0x100000000, c.Value^0x8000000000000000)
			}
		}
	}
	vals = append(vals, interesting...)
	var out []SeccompData
	pick := func() uint64 {
		if r.Intn(5) == 0 {
			return r.Uint64()
		}
		return vals[r.Intn(len(vals))]
	}
	for i := 0; i < count; i++ {
		d := SeccompData{Arch: p.Arch.AuditArch}
		switch x := r.Intn(20); {
		case x == 0:
			d.Arch = r.Uint32()
		case x == 1:
			d.Nr = int32(r.Uint32())
		case x == 2:
			d.Nr = int32(0x40000000 + r.Intn(600))
		case x < 6 || len(p.Syscalls) == 0:
			d.Nr = int32(r.Intn(600))
		default:
			d.Nr = int32(p.Syscalls[r.Intn(len(p.Syscalls))].Nr)
		}
		d.InstructionPointer = r.Uint64()
		for j := range d.Args {
			d.Args[j] = pick()
		}
		out = append(out, d)
	}
	return out
}
