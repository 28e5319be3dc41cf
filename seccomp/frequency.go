package seccomp

import "math"

// FrequencyEntry is one line of a frequency file: "name: count".
type FrequencyEntry struct {
	Syscall SyscallRef
	Count   uint64
	Pos     Pos // of the count
}

// ParseFrequency parses the text of a frequency file (the file an
// @frequency statement names): one "syscall: count" per line, with
// comments and blank lines allowed. Counts are non-negative integers.
func ParseFrequency(name string, src []byte) ([]FrequencyEntry, error) {
	lines, err := lexLines(name, src)
	if err != nil {
		return nil, err
	}
	var out []FrequencyEntry
	for _, line := range lines {
		p := &parser{toks: line}
		ref, err := p.syscallRef()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tColon, "':' after the syscall name"); err != nil {
			return nil, err
		}
		t := p.next()
		if t.Kind != tNumber {
			return nil, p.unexpected(t, "a call count")
		}
		if t.Text[0] == '-' {
			return nil, errorf(t.Pos, "invalid call count %q: must not be negative", t.Text)
		}
		n, err := parseNumber(t.Text, 64)
		if err != nil {
			return nil, errorf(t.Pos, "invalid call count: %v", err)
		}
		if err := p.expectEOL(); err != nil {
			return nil, err
		}
		out = append(out, FrequencyEntry{Syscall: ref, Count: n, Pos: t.Pos})
	}
	return out, nil
}

// frequency reads the file an @frequency statement names and adds its
// counts to the policy's.
func (l *lowerer) frequency(st *FrequencyStmt) error {
	src := resolve(l.stack[len(l.stack)-1], st.Path, l.opts.Sysroot)
	data, err := readSource(&src, "@frequency", st.PathPos)
	if err != nil {
		return err
	}
	entries, err := ParseFrequency(src.display, data)
	if err != nil {
		return attachLine(err, src.display, data)
	}
	for _, e := range entries {
		if !l.archSelected(e.Syscall) {
			continue
		}
		nr, ok := l.arch.Syscall(e.Syscall.Name)
		if !ok {
			if err := l.unknownSyscall(e.Syscall); err != nil {
				return attachLine(err, src.display, data)
			}
			continue
		}
		sum := l.freq[nr] + e.Count
		if sum < e.Count || sum > math.MaxUint32 {
			sum = math.MaxUint32
		}
		l.freq[nr] = sum
	}
	return nil
}
