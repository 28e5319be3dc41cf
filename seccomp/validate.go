package seccomp

import "fmt"

// ValidationError says why the kernel would refuse a program as a seccomp
// filter. Index is the offending instruction, or -1 for the program as a
// whole.
type ValidationError struct {
	Index  int
	Reason string
}

// Error describes the violation and where it is.
func (e *ValidationError) Error() string {
	if e.Index < 0 {
		return "invalid seccomp filter: " + e.Reason
	}
	return fmt.Sprintf("invalid seccomp filter: instruction %d: %s", e.Index, e.Reason)
}

// classicAllowed reports whether bpf_check_classic knows the opcode.
func classicAllowed(code uint16) bool {
	switch code {
	case bpfALU | bpfNEG,
		bpfLD | bpfW | bpfABS, bpfLD | bpfH | bpfABS, bpfLD | bpfB | bpfABS,
		bpfLD | bpfW | bpfLEN,
		bpfLD | bpfW | bpfIND, bpfLD | bpfH | bpfIND, bpfLD | bpfB | bpfIND,
		bpfLD | bpfIMM, bpfLD | bpfMEM,
		bpfLDX | bpfW | bpfLEN, bpfLDX | bpfB | bpfMSH, bpfLDX | bpfIMM, bpfLDX | bpfMEM,
		bpfST, bpfSTX, bpfMISC | bpfTAX, bpfMISC | bpfTXA,
		bpfRET | bpfK, bpfRET | bpfA, bpfJMP | bpfJA:
		return true
	}
	if isCondJump(code) && code&^0xf8 == bpfJMP {
		return true
	}
	if code&0x07 == bpfALU && code&^0xf8 == bpfALU {
		switch code & 0xf0 {
		case bpfADD, bpfSUB, bpfMUL, bpfDIV, bpfOR, bpfAND, bpfLSH, bpfRSH, bpfMOD, bpfXOR:
			return true
		}
	}
	return false
}

// seccompAllowed reports whether seccomp_check_filter lets the opcode
// through: no BPF_MOD, no packet loads other than aligned word loads.
func seccompAllowed(code uint16) bool {
	switch code {
	case bpfLD | bpfH | bpfABS, bpfLD | bpfB | bpfABS,
		bpfLD | bpfW | bpfIND, bpfLD | bpfH | bpfIND, bpfLD | bpfB | bpfIND,
		bpfLDX | bpfB | bpfMSH,
		bpfALU | bpfMOD | bpfK, bpfALU | bpfMOD | bpfX:
		return false
	}
	return classicAllowed(code)
}

// Validate applies the checks the kernel makes when a seccomp filter is
// loaded (seccomp_prepare_filter, bpf_check_classic with its scratch-memory
// analysis, and seccomp_check_filter), in that order, and reports the first
// violation as a *ValidationError.
func Validate(p Program) error {
	n := len(p)
	if n == 0 || n > MaxInstructions {
		return &ValidationError{Index: -1, Reason: fmt.Sprintf("program length %d not in 1..%d", n, MaxInstructions)}
	}
	for pc, ins := range p {
		code, k := ins.Code, ins.K
		if !classicAllowed(code) {
			return &ValidationError{Index: pc, Reason: fmt.Sprintf("unknown classic BPF opcode %#04x", code)}
		}
		switch code {
		case bpfALU | bpfDIV | bpfK, bpfALU | bpfMOD | bpfK:
			if k == 0 {
				return &ValidationError{Index: pc, Reason: "division by constant zero"}
			}
		case bpfALU | bpfLSH | bpfK, bpfALU | bpfRSH | bpfK:
			if k >= 32 {
				return &ValidationError{Index: pc, Reason: fmt.Sprintf("shift by %d, not below 32", k)}
			}
		case bpfLD | bpfMEM, bpfLDX | bpfMEM, bpfST, bpfSTX:
			if k >= bpfMemWords {
				return &ValidationError{Index: pc, Reason: fmt.Sprintf("scratch memory index %d out of 0..%d", k, bpfMemWords-1)}
			}
		case bpfJMP | bpfJA:
			if uint64(k) >= uint64(n-pc-1) {
				return &ValidationError{Index: pc, Reason: fmt.Sprintf("ja +%d jumps past the end of the program", k)}
			}
		}
		if isCondJump(code) && (pc+int(ins.Jt)+1 >= n || pc+int(ins.Jf)+1 >= n) {
			return &ValidationError{Index: pc, Reason: fmt.Sprintf("conditional jump (jt %d, jf %d) past the end of the program", ins.Jt, ins.Jf)}
		}
	}
	if last := p[n-1].Code; last != opRetK && last != opRetA {
		return &ValidationError{Index: n - 1, Reason: "the last instruction is not a return"}
	}
	if err := checkLoadsAndStores(p); err != nil {
		return err
	}
	for pc, ins := range p {
		if !seccompAllowed(ins.Code) {
			text, _ := insText(ins, pc)
			return &ValidationError{Index: pc, Reason: fmt.Sprintf("opcode %#04x (%s) is not allowed in seccomp filters", ins.Code, text)}
		}
		if ins.Code == opLdAbs && (ins.K >= SeccompDataSize || ins.K%4 != 0) {
			return &ValidationError{Index: pc, Reason: fmt.Sprintf("load of offset %d: not an aligned word inside struct seccomp_data", ins.K)}
		}
	}
	return nil
}

// checkLoadsAndStores rejects reading a scratch memory word that some path
// reaches without writing it first, the same conservative analysis the
// kernel makes: the set of written words is intersected at jump targets and
// forgotten after an unconditional control transfer.
func checkLoadsAndStores(p Program) error {
	masks := make([]uint16, len(p))
	for i := range masks {
		masks[i] = 0xffff
	}
	var valid uint16
	for pc, ins := range p {
		valid &= masks[pc]
		switch {
		case ins.Code == bpfST || ins.Code == bpfSTX:
			valid |= 1 << ins.K
		case ins.Code == bpfLD|bpfMEM || ins.Code == bpfLDX|bpfMEM:
			if valid&(1<<ins.K) == 0 {
				return &ValidationError{Index: pc, Reason: fmt.Sprintf("M[%d] may be read before it is written", ins.K)}
			}
		case ins.Code == opJA:
			masks[pc+1+int(ins.K)] &= valid
			valid = 0xffff
		case isCondJump(ins.Code):
			masks[pc+1+int(ins.Jt)] &= valid
			masks[pc+1+int(ins.Jf)] &= valid
			valid = 0xffff
		}
	}
	return nil
}
