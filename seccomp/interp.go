package seccomp

import (
	"encoding/binary"
	"fmt"
)

// Words returns struct seccomp_data as the 16 32-bit words a filter loads,
// in the given byte order: on a little-endian target the low half of a
// 64-bit field is the word at its offset and the high half the word at
// offset+4; on a big-endian target the other way round.
func (d SeccompData) Words(order binary.ByteOrder) [SeccompDataSize / 4]uint32 {
	var w [SeccompDataSize / 4]uint32
	w[offNr/4] = uint32(d.Nr)
	w[offArch/4] = d.Arch
	lo, hi := 0, 1
	if isBigEndian(order) {
		lo, hi = 1, 0
	}
	w[offIP/4+lo], w[offIP/4+hi] = uint32(d.InstructionPointer), uint32(d.InstructionPointer>>32)
	for i, a := range d.Args {
		w[offArgs/4+2*i+lo], w[offArgs/4+2*i+hi] = uint32(a), uint32(a>>32)
	}
	return w
}

// Bytes returns struct seccomp_data encoded in the given byte order.
func (d SeccompData) Bytes(order binary.ByteOrder) []byte {
	b := make([]byte, SeccompDataSize)
	order.PutUint32(b[offNr:], uint32(d.Nr))
	order.PutUint32(b[offArch:], d.Arch)
	order.PutUint64(b[offIP:], d.InstructionPointer)
	for i, a := range d.Args {
		order.PutUint64(b[offArgs+8*i:], a)
	}
	return b
}

func isBigEndian(order binary.ByteOrder) bool {
	switch order {
	case nil, binary.LittleEndian:
		return false
	case binary.BigEndian:
		return true
	}
	var b [2]byte
	order.PutUint16(b[:], 1)
	return b[1] == 1
}

// Run executes the program on d the way the kernel does for a seccomp
// filter on a little-endian machine, and returns the filter's return value
// and the number of instructions executed (counting the final return).
// An instruction the kernel would not run (an unknown or disallowed opcode,
// a load outside struct seccomp_data, a jump out of the program, running off
// its end) is an error. Division by a zero X register ends the program with
// return value 0, as in the kernel.
func Run(p Program, d SeccompData) (ret uint32, executed int, err error) {
	return RunOrder(p, d, binary.LittleEndian)
}

// RunOrder is Run for a target with the given byte order.
func RunOrder(p Program, d SeccompData, order binary.ByteOrder) (ret uint32, executed int, err error) {
	w := d.Words(order)
	return runWords(p, &w, nil)
}

// runWords is the interpreter proper over the words of seccomp_data.
// When reads is not nil, the words loaded are or'ed into it as a bit mask.
func runWords(p Program, w *[SeccompDataSize / 4]uint32, reads *uint32) (uint32, int, error) {
	var a, x uint32
	var mem [bpfMemWords]uint32
	n := len(p)
	executed := 0
	for pc := 0; ; pc++ {
		if pc >= n {
			return 0, executed, fmt.Errorf("run BPF: fell off the end of the %d-instruction program", n)
		}
		ins := p[pc]
		executed++
		k := ins.K
		switch ins.Code {
		case opLdAbs:
			if k >= SeccompDataSize || k%4 != 0 {
				return 0, executed, fmt.Errorf("run BPF: instruction %d loads offset %d outside struct seccomp_data or misaligned", pc, k)
			}
			a = w[k/4]
			if reads != nil {
				*reads |= 1 << (k / 4)
			}
		case opLdLen:
			a = SeccompDataSize
		case opLdxLen:
			x = SeccompDataSize
		case bpfLD | bpfIMM:
			a = k
		case bpfLDX | bpfIMM:
			x = k
		case bpfLD | bpfMEM, bpfLDX | bpfMEM, bpfST, bpfSTX:
			if k >= bpfMemWords {
				return 0, executed, fmt.Errorf("run BPF: instruction %d: scratch memory index %d out of range", pc, k)
			}
			switch ins.Code {
			case bpfLD | bpfMEM:
				a = mem[k]
			case bpfLDX | bpfMEM:
				x = mem[k]
			case bpfST:
				mem[k] = a
			default:
				mem[k] = x
			}
		case bpfMISC | bpfTAX:
			x = a
		case bpfMISC | bpfTXA:
			a = x
		case bpfALU | bpfNEG:
			a = -a
		case opRetK:
			return k, executed, nil
		case opRetA:
			return a, executed, nil
		case opJA:
			if uint64(k) >= uint64(n-pc-1) {
				return 0, executed, fmt.Errorf("run BPF: instruction %d: ja +%d leaves the program", pc, k)
			}
			pc += int(k)
		default:
			switch {
			case ins.Code&0x07 == bpfALU && ins.Code&^0xf8 == bpfALU:
				src := k
				if ins.Code&bpfX != 0 {
					src = x
				}
				switch ins.Code & 0xf0 {
				case bpfADD:
					a += src
				case bpfSUB:
					a -= src
				case bpfMUL:
					a *= src
				case bpfDIV:
					if src == 0 {
						return 0, executed, nil
					}
					a /= src
				case bpfOR:
					a |= src
				case bpfAND:
					a &= src
				case bpfXOR:
					a ^= src
				case bpfLSH:
					a <<= src & 31
				case bpfRSH:
					a >>= src & 31
				default:
					return 0, executed, fmt.Errorf("run BPF: instruction %d: opcode %#04x not allowed in seccomp filters", pc, ins.Code)
				}
			case isCondJump(ins.Code) && ins.Code&^0xf8 == bpfJMP:
				src := k
				if ins.Code&bpfX != 0 {
					src = x
				}
				var cond bool
				switch ins.Code & 0xf0 {
				case bpfJEQ:
					cond = a == src
				case bpfJGT:
					cond = a > src
				case bpfJGE:
					cond = a >= src
				default:
					cond = a&src != 0
				}
				off := int(ins.Jf)
				if cond {
					off = int(ins.Jt)
				}
				if pc+off+1 >= n {
					return 0, executed, fmt.Errorf("run BPF: instruction %d jumps past the end of the program", pc)
				}
				pc += off
			default:
				return 0, executed, fmt.Errorf("run BPF: instruction %d: opcode %#04x not allowed in seccomp filters", pc, ins.Code)
			}
		}
	}
}

// Evaluate returns the verdict the policy gives d, computed directly from
// the Policy (no BPF involved): the reference semantics every compiled
// program must reproduce. Arguments are compared unsigned at the target's
// width (the low 32 bits on a 32-bit target).
func (p *Policy) Evaluate(d SeccompData) Action {
	if d.Arch != p.Arch.AuditArch {
		return p.BadArch
	}
	nr := uint32(d.Nr)
	if x := p.Arch.X32Bit; x != 0 && nr >= x {
		return p.BadArch
	}
	lo, hi := 0, len(p.Syscalls)
	for lo < hi {
		mid := (lo + hi) / 2
		if p.Syscalls[mid].Nr < nr {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(p.Syscalls) || p.Syscalls[lo].Nr != nr {
		return p.Default
	}
	sc := &p.Syscalls[lo]
	for _, r := range sc.Rules {
		ok := true
		for _, c := range r.All {
			if !c.holds(d.Args[c.Arg], p.Arch.Bits) {
				ok = false
				break
			}
		}
		if ok {
			return r.Action
		}
	}
	return sc.Else
}

// holds evaluates the comparison on an argument value at the given width.
func (c Cond) holds(arg uint64, bits int) bool {
	v := c.Value
	if bits == 32 {
		arg &= 0xffffffff
		v &= 0xffffffff
	}
	switch c.Op {
	case OpEq:
		return arg == v
	case OpNe:
		return arg != v
	case OpLt:
		return arg < v
	case OpLe:
		return arg <= v
	case OpGt:
		return arg > v
	case OpGe:
		return arg >= v
	case OpMaskAny:
		return arg&v != 0
	case OpMaskIn:
		return arg&^v == 0
	}
	return false
}
