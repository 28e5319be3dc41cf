package seccomp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestBytesRoundTrip(t *testing.T) {
	p := Program{{Code: opLdAbs, K: 4}, {Code: opJEQ, Jt: 1, Jf: 0, K: 0xc000003e}, {Code: opRetK, K: RetKillProcess}, {Code: opRetK, K: RetAllow}}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := p.Bytes(order)
		if len(b) != 32 {
			t.Fatalf("len %d", len(b))
		}
		q, err := ParseProgram(b, order)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != len(p) {
			t.Fatalf("round trip: %v", q)
		}
		for i := range p {
			if p[i] != q[i] {
				t.Fatalf("round trip: %v != %v", q[i], p[i])
			}
		}
	}
	// struct sock_filter layout, little-endian.
	want := []byte{0x20, 0, 0, 0, 4, 0, 0, 0, 0x15, 0, 1, 0, 0x3e, 0, 0, 0xc0}
	if got := p.Bytes(binary.LittleEndian)[:16]; !bytes.Equal(got, want) {
		t.Fatalf("encoding % x, want % x", got, want)
	}
}

func TestParseProgramErrors(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "empty"},
		{7, "multiple of 8"},
		{9, "multiple of 8"},
		{8 * 4097, "4097 instructions"},
	} {
		_, err := ParseProgram(make([]byte, tc.n), binary.LittleEndian)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseProgram(%d bytes): %v, want %q", tc.n, err, tc.want)
		}
	}
	if _, err := ParseProgram(make([]byte, 8*4096), binary.LittleEndian); err != nil {
		t.Errorf("4096 instructions: %v", err)
	}
}

func TestDisassemble(t *testing.T) {
	p := Program{
		{Code: opLdAbs, K: 4},
		{Code: opJEQ, Jt: 1, K: 0xc000003e},
		{Code: opRetK, K: RetKillProcess},
		{Code: opLdAbs, K: 0},
		{Code: opJGE, Jt: 0, Jf: 1, K: 0x40000000},
		{Code: opJA, K: 2},
		{Code: opLdAbs, K: 28},
		{Code: opRetK, K: RetErrno | 13},
		{Code: opRetK, K: RetAllow},
		{Code: 0xffff},
	}
	out := p.Disassemble()
	for _, want := range []string{
		"jeq #0xc000003e, L3, L2", "L3:\n", "; arch", "; nr", "; arg1.hi", "ERRNO(13)", "KILL_PROCESS",
		"ALLOW", "ja L8", "jge #0x40000000, L5, L6", "unknown opcode",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("disassembly lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != len(p)+4 { // labels L2, L3, L5/L6, L8
		t.Logf("%s", out)
	}
}

func TestValidate(t *testing.T) {
	ok := Instruction{Code: opRetK, K: RetAllow}
	long := make(Program, 4097)
	for i := range long {
		long[i] = ok
	}
	tests := []struct {
		name  string
		p     Program
		index int // -2: valid
		want  string
	}{
		{"valid", Program{{Code: opLdAbs, K: 0}, {Code: opJEQ, K: 1, Jt: 1}, ok, ok}, -2, ""},
		{"empty", Program{}, -1, "length 0"},
		{"too long", long, -1, "length 4097"},
		{"no ret at end", Program{{Code: opLdAbs, K: 0}}, 0, "not a return"},
		{"unknown opcode", Program{{Code: 0x99}, ok}, 0, "unknown classic BPF opcode"},
		{"mod", Program{{Code: bpfALU | bpfMOD | bpfK, K: 3}, ok}, 0, "not allowed in seccomp"},
		{"byte load", Program{{Code: bpfLD | bpfB | bpfABS, K: 0}, ok}, 0, "not allowed in seccomp"},
		{"indirect load", Program{{Code: bpfLD | bpfW | bpfIND, K: 0}, ok}, 0, "not allowed in seccomp"},
		{"msh", Program{{Code: bpfLDX | bpfB | bpfMSH, K: 0}, ok}, 0, "not allowed in seccomp"},
		{"misaligned", Program{{Code: opLdAbs, K: 2}, ok}, 0, "aligned"},
		{"out of range", Program{{Code: opLdAbs, K: 64}, ok}, 0, "aligned word inside"},
		{"div zero", Program{{Code: bpfALU | bpfDIV | bpfK, K: 0}, ok}, 0, "division by constant zero"},
		{"shift", Program{{Code: bpfALU | bpfLSH | bpfK, K: 32}, ok}, 0, "shift by 32"},
		{"mem index", Program{{Code: bpfST, K: 16}, ok}, 0, "scratch memory index 16"},
		{"ja out", Program{{Code: opJA, K: 1}, ok}, 0, "ja +1"},
		{"jt out", Program{{Code: opJEQ, Jt: 1}, ok}, 0, "past the end"},
		{"jf out", Program{{Code: opJEQ, Jf: 1}, ok}, 0, "past the end"},
		{"read before write", Program{{Code: bpfLD | bpfMEM, K: 2}, ok}, 0, "M[2] may be read"},
		{"written on one path only", Program{
			{Code: opLdAbs, K: 0},
			{Code: opJEQ, K: 1, Jt: 0, Jf: 1},
			{Code: bpfST, K: 0},
			{Code: bpfLD | bpfMEM, K: 0},
			ok}, 3, "M[0] may be read"},
		{"written on both paths", Program{
			{Code: bpfST, K: 0},
			{Code: opJEQ, K: 1, Jt: 0, Jf: 1},
			{Code: bpfST, K: 1},
			{Code: bpfLD | bpfMEM, K: 0},
			ok}, -2, ""},
		{"len loads", Program{{Code: opLdLen}, {Code: opLdxLen}, {Code: opRetA}}, -2, ""},
		{"neg x", Program{{Code: bpfALU | bpfNEG | bpfX}, ok}, 0, "unknown classic BPF opcode"},
	}
	for _, tc := range tests {
		err := Validate(tc.p)
		if tc.index == -2 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a *ValidationError", tc.name, err)
			continue
		}
		if ve.Index != tc.index || !strings.Contains(ve.Reason, tc.want) {
			t.Errorf("%s: got index %d %q, want %d %q", tc.name, ve.Index, ve.Reason, tc.index, tc.want)
		}
	}
}

// FuzzParseProgram checks that decoding, validating, disassembling and
// running arbitrary bytes never panics, and that a decoded program encodes
// back to the same bytes.
func FuzzParseProgram(f *testing.F) {
	p, err := Compile(&Policy{Arch: testX86_64, Default: Action{Kind: ActKillProcess},
		Syscalls: []SyscallRules{{Nr: 1, Rules: []Rule{{All: []Cond{{Arg: 0, Op: OpGe, Value: 1 << 33}}, Action: Action{Kind: ActAllow}}}}}}, DefaultCompileOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.Bytes(binary.LittleEndian))
	f.Add([]byte{})
	f.Add(make([]byte, 7))
	f.Add([]byte{0x06, 0, 0, 0, 0, 0, 0xff, 0x7f})
	f.Add([]byte{0x60, 0, 0, 0, 3, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProgram(b, binary.LittleEndian)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Bytes(binary.LittleEndian), b) {
			t.Fatal("round trip changed the bytes")
		}
		_ = p.Disassemble()
		verr := Validate(p)
		d := SeccompData{Nr: 1, Arch: 0xc000003e, Args: [6]uint64{1 << 34}}
		_, n, rerr := Run(p, d)
		if verr == nil {
			if rerr != nil {
				t.Fatalf("valid program fails to run: %v", rerr)
			}
			if n < 1 || n > len(p) {
				t.Fatalf("executed %d of %d", n, len(p))
			}
			if _, err := AnalyzeCost(p, testX86_64, CostOptions{MaxNr: 3, MaxPaths: 64}); err != nil {
				t.Fatalf("cost analysis of a valid program: %v", err)
			}
		}
	})
}
