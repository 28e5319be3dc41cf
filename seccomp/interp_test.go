package seccomp

import (
	"encoding/binary"
	"math/rand"
	"testing"

	"golang.org/x/net/bpf"
)

// vmRun runs p in x/net/bpf's VM, a second, independent interpreter. That VM
// loads words big-endian, so it gets seccomp_data with each 32-bit word
// byte-swapped.
func vmRun(t testing.TB, p Program, d SeccompData) (uint32, bool) {
	t.Helper()
	raw := make([]bpf.RawInstruction, len(p))
	for i, ins := range p {
		raw[i] = bpf.RawInstruction{Op: ins.Code, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	insns, ok := bpf.Disassemble(raw)
	if !ok {
		return 0, false
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		return 0, false
	}
	w := d.Words(binary.LittleEndian)
	in := make([]byte, SeccompDataSize)
	for i, v := range w {
		binary.BigEndian.PutUint32(in[4*i:], v)
	}
	out, err := vm.Run(in)
	if err != nil {
		t.Fatalf("x/net/bpf VM: %v", err)
	}
	return uint32(out), true
}

func TestRunMatchesNetBPFOnCompiledPrograms(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for iter := 0; iter < 150; iter++ {
		p := randPolicy(r, testArches[iter%3]) // little-endian arches
		for _, opt := range []bool{false, true} {
			prog, err := Compile(p, CompileOptions{Optimize: opt})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range inputsFor(r, p, 100) {
				got, _, err := Run(prog, d)
				if err != nil {
					t.Fatal(err)
				}
				want, ok := vmRun(t, prog, d)
				if !ok {
					t.Fatalf("x/net/bpf refuses a compiled program:\n%s", prog.Disassemble())
				}
				if got != want {
					t.Fatalf("input %+v: Run %#x, x/net/bpf %#x\n%s", d, got, want, prog.Disassemble())
				}
			}
		}
	}
}

// randProgram makes a random program that passes Validate, using every
// opcode seccomp accepts (no shifts or divisions by X, where the VMs
// legitimately differ on out-of-range operands).
func randProgram(r *rand.Rand) Program {
	n := 2 + r.Intn(30)
	p := make(Program, n)
	for i := range p {
		left := n - i - 1
		var ins Instruction
		switch c := r.Intn(14); {
		case left == 0 || c == 0:
			if r.Intn(3) == 0 {
				ins = Instruction{Code: opRetA}
			} else {
				ins = Instruction{Code: opRetK, K: r.Uint32()}
			}
		case c == 1:
			ins = Instruction{Code: opLdAbs, K: uint32(4 * r.Intn(16))}
		case c == 2:
			// (no ldx #len: x/net/bpf does not give it the packet length)
			ins = Instruction{Code: []uint16{bpfLD | bpfIMM, bpfLDX | bpfIMM, opLdLen}[r.Intn(3)], K: r.Uint32()}
		case c == 3:
			// (no neg: the x/net/bpf VM does not run it; TestRunSemantics does)
			ins = Instruction{Code: []uint16{bpfMISC | bpfTAX, bpfMISC | bpfTXA}[r.Intn(2)]}
		case c <= 6:
			ops := []uint16{bpfADD, bpfSUB, bpfMUL, bpfDIV, bpfOR, bpfAND, bpfLSH, bpfRSH, bpfXOR}
			op := ops[r.Intn(len(ops))]
			k := r.Uint32()
			switch op {
			case bpfLSH, bpfRSH:
				k %= 32
			case bpfDIV:
				k |= 1
			}
			src := uint16(bpfK)
			if op != bpfLSH && op != bpfRSH && op != bpfDIV && r.Intn(2) == 0 {
				src = bpfX
			}
			ins = Instruction{Code: bpfALU | op | src, K: k}
		case c <= 11:
			op := []uint16{bpfJEQ, bpfJGT, bpfJGE, bpfJSET}[r.Intn(4)]
			src := uint16(bpfK)
			if r.Intn(3) == 0 {
				src = bpfX
			}
			k := r.Uint32()
			if r.Intn(2) == 0 {
				k = uint32(r.Intn(4))
			}
			ins = Instruction{Code: bpfJMP | op | src, K: k, Jt: uint8(r.Intn(left)), Jf: uint8(r.Intn(left))}
		case c == 12:
			ins = Instruction{Code: opJA, K: uint32(r.Intn(left))}
		default:
			// st then ld of the same word keeps the memory check happy.
			ins = Instruction{Code: bpfST, K: uint32(r.Intn(bpfMemWords))}
		}
		p[i] = ins
	}
	return p
}

func TestRunMatchesNetBPFOnRandomPrograms(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	checked := 0
	for iter := 0; iter < 20000; iter++ {
		p := randProgram(r)
		if Validate(p) != nil {
			continue
		}
		checked++
		d := SeccompData{Nr: int32(r.Uint32()), Arch: r.Uint32(), InstructionPointer: r.Uint64()}
		for i := range d.Args {
			d.Args[i] = r.Uint64()
		}
		got, _, err := Run(p, d)
		if err != nil {
			t.Fatalf("Run on a valid program: %v\n%s", err, p.Disassemble())
		}
		want, ok := vmRun(t, p, d)
		if !ok {
			continue
		}
		if got != want {
			t.Fatalf("Run %#x, x/net/bpf %#x\n%s", got, want, p.Disassemble())
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d random programs were valid", checked)
	}
}

func TestRunSemantics(t *testing.T) {
	d := SeccompData{Nr: 59, Arch: 0xc000003e, InstructionPointer: 0x1122334455667788,
		Args: [6]uint64{0x8000000000000001, 2, 3, 4, 5, 0xfffffffeffffffff}}
	tests := []struct {
		name     string
		p        Program
		ret      uint32
		executed int
	}{
		{"ret k", Program{{Code: opRetK, K: RetAllow}}, RetAllow, 1},
		{"nr", Program{{Code: opLdAbs, K: 0}, {Code: opRetA}}, 59, 2},
		{"arch", Program{{Code: opLdAbs, K: 4}, {Code: opRetA}}, 0xc000003e, 2},
		{"ip low", Program{{Code: opLdAbs, K: 8}, {Code: opRetA}}, 0x55667788, 2},
		{"ip high", Program{{Code: opLdAbs, K: 12}, {Code: opRetA}}, 0x11223344, 2},
		{"arg0 high", Program{{Code: opLdAbs, K: 20}, {Code: opRetA}}, 0x80000000, 2},
		{"arg5 low", Program{{Code: opLdAbs, K: 56}, {Code: opRetA}}, 0xffffffff, 2},
		{"arg5 high", Program{{Code: opLdAbs, K: 60}, {Code: opRetA}}, 0xfffffffe, 2},
		{"len", Program{{Code: opLdLen}, {Code: opRetA}}, 64, 2},
		{"ldx len", Program{{Code: opLdxLen}, {Code: bpfMISC | bpfTXA}, {Code: opRetA}}, 64, 3},
		{"jump skips", Program{{Code: opLdAbs, K: 0}, {Code: opJEQ, K: 59, Jt: 1}, {Code: opRetK, K: 1}, {Code: opRetK, K: 2}}, 2, 3},
		{"ja", Program{{Code: opJA, K: 1}, {Code: opRetK, K: 1}, {Code: opRetK, K: 2}}, 2, 2},
		{"div by zero x", Program{{Code: bpfLDX | bpfIMM, K: 0}, {Code: bpfALU | bpfDIV | bpfX}, {Code: opRetK, K: 7}}, 0, 2},
		{"scratch", Program{{Code: bpfLD | bpfIMM, K: 9}, {Code: bpfST, K: 3}, {Code: bpfLD | bpfIMM, K: 1}, {Code: bpfLDX | bpfMEM, K: 3}, {Code: bpfMISC | bpfTXA}, {Code: opRetA}}, 9, 6},
		{"neg", Program{{Code: bpfLD | bpfIMM, K: 1}, {Code: bpfALU | bpfNEG}, {Code: opRetA}}, 0xffffffff, 3},
		{"alu", Program{{Code: bpfLD | bpfIMM, K: 6}, {Code: bpfALU | bpfMUL | bpfK, K: 7}, {Code: bpfALU | bpfXOR | bpfK, K: 1}, {Code: bpfALU | bpfRSH | bpfK, K: 1}, {Code: opRetA}}, 21, 5},
		{"jset", Program{{Code: opLdAbs, K: 20}, {Code: opJSET, K: 0x80000000, Jt: 1}, {Code: opRetK, K: 1}, {Code: opRetK, K: 2}}, 2, 3},
	}
	for _, tc := range tests {
		ret, n, err := Run(tc.p, d)
		if err != nil || ret != tc.ret || n != tc.executed {
			t.Errorf("%s: got %#x, %d, %v; want %#x, %d", tc.name, ret, n, err, tc.ret, tc.executed)
		}
	}
	// Big-endian targets keep the high half first.
	ret, _, err := RunOrder(Program{{Code: opLdAbs, K: 16}, {Code: opRetA}}, d, binary.BigEndian)
	if err != nil || ret != 0x80000000 {
		t.Errorf("big-endian arg0 word 0: got %#x, %v", ret, err)
	}
	// Errors instead of panics.
	for _, p := range []Program{
		{{Code: opLdAbs, K: 64}, {Code: opRetA}},
		{{Code: opLdAbs, K: 2}, {Code: opRetA}},
		{{Code: bpfLD | bpfIMM}},
		{{Code: opJA, K: 5}, {Code: opRetA}},
		{{Code: opJEQ, Jt: 9}, {Code: opRetA}},
		{{Code: bpfALU | bpfMOD | bpfK, K: 3}, {Code: opRetA}},
		{{Code: 0xffff}},
		{},
	} {
		if _, _, err := Run(p, d); err == nil {
			t.Errorf("Run(%v): no error", p)
		}
	}
}
