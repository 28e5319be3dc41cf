package main

import (
	"encoding/binary"

	"github.com/minijail-go/minijail/seccomp"
)

// Classic BPF opcode fields.
const (
	clsMask  = 0x07
	clsLD    = 0x00
	clsJMP   = 0x05
	clsRET   = 0x06
	modeABS  = 0x20
	sizeW    = 0x00
	jmpJA    = 0x00
	jmpJEQ   = 0x10
	jmpJGT   = 0x20
	jmpJGE   = 0x30
	jmpJSET  = 0x40
	srcX     = 0x08
	retA     = 0x10
	opLdWAbs = clsLD | sizeW | modeABS
)

// tracePath returns the indexes of the instructions a filter executes on
// input d, or nil when the program uses an instruction this tracer does not
// follow (the filters we generate use only loads of seccomp_data words,
// jumps against constants and returns).
func tracePath(prog seccomp.Program, d seccomp.SeccompData, order binary.ByteOrder) []int {
	words := d.Words(order)
	var a uint32
	var path []int
	for pc := 0; pc < len(prog); {
		ins := prog[pc]
		path = append(path, pc)
		switch {
		case ins.Code == opLdWAbs:
			if ins.K%4 != 0 || int(ins.K/4) >= len(words) {
				return nil
			}
			a = words[ins.K/4]
			pc++
		case ins.Code&clsMask == clsRET:
			return path
		case ins.Code&clsMask == clsJMP && ins.Code&srcX == 0:
			var ok bool
			switch ins.Code & 0xf0 {
			case jmpJA:
				pc += 1 + int(ins.K)
				continue
			case jmpJEQ:
				ok = a == ins.K
			case jmpJGT:
				ok = a > ins.K
			case jmpJGE:
				ok = a >= ins.K
			case jmpJSET:
				ok = a&ins.K != 0
			default:
				return nil
			}
			if ok {
				pc += 1 + int(ins.Jt)
			} else {
				pc += 1 + int(ins.Jf)
			}
		default:
			return nil
		}
	}
	return nil
}
