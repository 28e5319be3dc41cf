package seccomp

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Instruction is one classic BPF instruction, the layout of the kernel's
// struct sock_filter.
type Instruction struct {
	Code uint16 // opcode: class | size/op | mode/source
	Jt   uint8  // forward offset taken when a conditional jump holds
	Jf   uint8  // forward offset taken when it does not
	K    uint32 // the constant operand
}

// Program is a classic BPF program as handed to seccomp(2) in a struct
// sock_fprog.
type Program []Instruction

// MaxInstructions is the longest program the kernel accepts (BPF_MAXINSNS).
const MaxInstructions = 4096

// InstructionSize is the size in bytes of one encoded instruction.
const InstructionSize = 8

// SeccompDataSize is sizeof(struct seccomp_data).
const SeccompDataSize = 64

// Classic BPF opcode fields (linux/bpf_common.h, linux/filter.h).
const (
	bpfLD   = 0x00
	bpfLDX  = 0x01
	bpfST   = 0x02
	bpfSTX  = 0x03
	bpfALU  = 0x04
	bpfJMP  = 0x05
	bpfRET  = 0x06
	bpfMISC = 0x07

	bpfW = 0x00
	bpfH = 0x08
	bpfB = 0x10

	bpfIMM = 0x00
	bpfABS = 0x20
	bpfIND = 0x40
	bpfMEM = 0x60
	bpfLEN = 0x80
	bpfMSH = 0xa0

	bpfADD = 0x00
	bpfSUB = 0x10
	bpfMUL = 0x20
	bpfDIV = 0x30
	bpfOR  = 0x40
	bpfAND = 0x50
	bpfLSH = 0x60
	bpfRSH = 0x70
	bpfNEG = 0x80
	bpfMOD = 0x90
	bpfXOR = 0xa0

	bpfJA   = 0x00
	bpfJEQ  = 0x10
	bpfJGT  = 0x20
	bpfJGE  = 0x30
	bpfJSET = 0x40

	bpfK = 0x00
	bpfX = 0x08
	bpfA = 0x10

	bpfTAX = 0x00
	bpfTXA = 0x80

	bpfMemWords = 16
)

// Frequently used complete opcodes.
const (
	opLdAbs  = bpfLD | bpfW | bpfABS
	opJA     = bpfJMP | bpfJA
	opJEQ    = bpfJMP | bpfJEQ | bpfK
	opJGT    = bpfJMP | bpfJGT | bpfK
	opJGE    = bpfJMP | bpfJGE | bpfK
	opJSET   = bpfJMP | bpfJSET | bpfK
	opRetK   = bpfRET | bpfK
	opRetA   = bpfRET | bpfA
	opLdLen  = bpfLD | bpfW | bpfLEN
	opLdxLen = bpfLDX | bpfW | bpfLEN
)

// Offsets of the fields of struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offIP   = 8
	offArgs = 16
)

// SeccompData is the input of a seccomp filter (struct seccomp_data).
type SeccompData struct {
	Nr                 int32
	Arch               uint32
	InstructionPointer uint64
	Args               [6]uint64
}

// Bytes returns the encoding of the program as an array of struct
// sock_filter in the given byte order (8 bytes per instruction).
func (p Program) Bytes(order binary.ByteOrder) []byte {
	b := make([]byte, len(p)*InstructionSize)
	for i, ins := range p {
		o := b[i*InstructionSize:]
		order.PutUint16(o[0:], ins.Code)
		o[2] = ins.Jt
		o[3] = ins.Jf
		order.PutUint32(o[4:], ins.K)
	}
	return b
}

// ParseProgram decodes an array of struct sock_filter in the given byte
// order. The length must be a non-zero multiple of 8 bytes holding at most
// MaxInstructions instructions; the instructions themselves are not checked
// (see Validate).
func ParseProgram(b []byte, order binary.ByteOrder) (Program, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("parse BPF program: empty input")
	}
	if len(b)%InstructionSize != 0 {
		return nil, fmt.Errorf("parse BPF program: length %d bytes is not a multiple of %d", len(b), InstructionSize)
	}
	n := len(b) / InstructionSize
	if n > MaxInstructions {
		return nil, fmt.Errorf("parse BPF program: %d instructions, more than the kernel's limit of %d", n, MaxInstructions)
	}
	p := make(Program, n)
	for i := range p {
		o := b[i*InstructionSize:]
		p[i] = Instruction{Code: order.Uint16(o[0:]), Jt: o[2], Jf: o[3], K: order.Uint32(o[4:])}
	}
	return p, nil
}

// isCondJump reports whether code is a conditional jump.
func isCondJump(code uint16) bool {
	if code&0x07 != bpfJMP {
		return false
	}
	switch code & 0xf0 {
	case bpfJEQ, bpfJGT, bpfJGE, bpfJSET:
		return true
	}
	return false
}

// fieldName names the seccomp_data word at offset k (little-endian layout).
func fieldName(k uint32) string {
	switch {
	case k == offNr:
		return "nr"
	case k == offArch:
		return "arch"
	case k == offIP:
		return "ip.lo"
	case k == offIP+4:
		return "ip.hi"
	case k >= offArgs && k < SeccompDataSize && k%4 == 0:
		half := "lo"
		if (k-offArgs)%8 == 4 {
			half = "hi"
		}
		return fmt.Sprintf("arg%d.%s", (k-offArgs)/8, half)
	}
	return ""
}

// RetString describes a seccomp return value, e.g. "ERRNO(1)".
func RetString(k uint32) string {
	data := k & RetData
	switch k & RetActionFull {
	case RetKillProcess:
		return "KILL_PROCESS"
	case RetKillThread:
		return "KILL_THREAD"
	case RetTrap:
		return "TRAP"
	case RetErrno:
		return fmt.Sprintf("ERRNO(%d)", data)
	case RetTrace:
		return fmt.Sprintf("TRACE(%d)", data)
	case RetLog:
		return "LOG"
	case RetUserNotif:
		return "USER_NOTIF"
	case RetAllow:
		return "ALLOW"
	}
	return fmt.Sprintf("unknown action %#x (acts as KILL_PROCESS)", k)
}

var aluNames = map[uint16]string{
	bpfADD: "add", bpfSUB: "sub", bpfMUL: "mul", bpfDIV: "div", bpfOR: "or",
	bpfAND: "and", bpfLSH: "lsh", bpfRSH: "rsh", bpfNEG: "neg", bpfMOD: "mod", bpfXOR: "xor",
}

var jmpNames = map[uint16]string{bpfJEQ: "jeq", bpfJGT: "jgt", bpfJGE: "jge", bpfJSET: "jset"}

// label names the jump target at pc.
func label(pc int) string { return fmt.Sprintf("L%d", pc) }

// insText disassembles one instruction at pc; the second result is a comment.
func insText(ins Instruction, pc int) (string, string) {
	code := ins.Code
	k := ins.K
	switch code & 0x07 {
	case bpfLD, bpfLDX:
		reg := "ld"
		if code&0x07 == bpfLDX {
			reg = "ldx"
		}
		size := map[uint16]string{bpfW: "", bpfH: "h", bpfB: "b"}[code&0x18]
		if code&0x18 == 0x18 {
			size = "?"
		}
		switch code & 0xe0 {
		case bpfIMM:
			return fmt.Sprintf("%s%s #%#x", reg, size, k), ""
		case bpfABS:
			return fmt.Sprintf("%s%s [%d]", reg, size, k), fieldName(k)
		case bpfIND:
			return fmt.Sprintf("%s%s [x+%d]", reg, size, k), ""
		case bpfMEM:
			return fmt.Sprintf("%s%s M[%d]", reg, size, k), ""
		case bpfLEN:
			return fmt.Sprintf("%s%s #len", reg, size), ""
		case bpfMSH:
			return fmt.Sprintf("%s%s 4*([%d]&0xf)", reg, size, k), ""
		}
	case bpfST:
		return fmt.Sprintf("st M[%d]", k), ""
	case bpfSTX:
		return fmt.Sprintf("stx M[%d]", k), ""
	case bpfALU:
		name, ok := aluNames[code&0xf0]
		if !ok {
			break
		}
		if code&0xf0 == bpfNEG {
			return "neg", ""
		}
		if code&bpfX != 0 {
			return name + " x", ""
		}
		return fmt.Sprintf("%s #%#x", name, k), ""
	case bpfJMP:
		if code&0xf0 == bpfJA {
			return fmt.Sprintf("ja %s", label(pc+1+int(k))), ""
		}
		name, ok := jmpNames[code&0xf0]
		if !ok {
			break
		}
		operand := fmt.Sprintf("#%#x", k)
		if code&bpfX != 0 {
			operand = "x"
		}
		return fmt.Sprintf("%s %s, %s, %s", name, operand, label(pc+1+int(ins.Jt)), label(pc+1+int(ins.Jf))), ""
	case bpfRET:
		switch code & 0x18 {
		case bpfK:
			return fmt.Sprintf("ret #%#x", k), RetString(k)
		case bpfA:
			return "ret a", ""
		case bpfX:
			return "ret x", ""
		}
	case bpfMISC:
		switch code & 0xf8 {
		case bpfTAX:
			return "tax", ""
		case bpfTXA:
			return "txa", ""
		}
	}
	return fmt.Sprintf(".word code=%#04x jt=%d jf=%d k=%#x", code, ins.Jt, ins.Jf, k), "unknown opcode"
}

// Disassemble returns a readable listing of the program: one instruction a
// line, prefixed by its index, with a label line ("L12:") before every jump
// target and comments naming seccomp_data fields and return actions.
func (p Program) Disassemble() string {
	targets := make(map[int]bool)
	for pc, ins := range p {
		if ins.Code == opJA {
			targets[pc+1+int(ins.K)] = true
		} else if isCondJump(ins.Code) {
			targets[pc+1+int(ins.Jt)] = true
			targets[pc+1+int(ins.Jf)] = true
		}
	}
	var sb strings.Builder
	for pc, ins := range p {
		if targets[pc] {
			fmt.Fprintf(&sb, "%s:\n", label(pc))
		}
		text, comment := insText(ins, pc)
		if comment != "" {
			fmt.Fprintf(&sb, "%6d  %-36s ; %s\n", pc, text, comment)
		} else {
			fmt.Fprintf(&sb, "%6d  %s\n", pc, text)
		}
	}
	return sb.String()
}
