package minijail

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// tinyELF builds a static x86_64 program of a few instructions, with no
// runtime: it optionally calls getpid, then writes "ok\n" and calls _exit(0)
// (the exit system call, not exit_group) — all strict mode allows.
func tinyELF(callGetpid bool) []byte {
	var code []byte
	if callGetpid {
		code = append(code, 0xb8, 39, 0, 0, 0, 0x0f, 0x05) // mov eax, 39; syscall
	}
	lea := len(code) + 10
	code = append(code,
		0xb8, 1, 0, 0, 0, // mov eax, 1 (write)
		0xbf, 1, 0, 0, 0, // mov edi, 1
		0x48, 0x8d, 0x35, 0, 0, 0, 0, // lea rsi, [rip+msg]
		0xba, 3, 0, 0, 0, // mov edx, 3
		0x0f, 0x05, // syscall
		0xb8, 60, 0, 0, 0, // mov eax, 60 (exit)
		0x31, 0xff, // xor edi, edi
		0x0f, 0x05, // syscall
	)
	binary.LittleEndian.PutUint32(code[lea+3:], uint32(len(code)-(lea+7)))
	code = append(code, "ok\n"...)

	const base, hdr = 0x400000, 64 + 56
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	binary.Write(&b, le, struct {
		Type, Machine              uint16
		Version                    uint32
		Entry, Phoff, Shoff        uint64
		Flags                      uint32
		Ehsize, Phentsize, Phnum   uint16
		Shentsize, Shnum, Shstrndx uint16
	}{2, 0x3e, 1, base + hdr, 64, 0, 0, 64, 56, 1, 0, 0, 0})
	size := uint64(hdr + len(code))
	binary.Write(&b, le, struct {
		Type, Flags                         uint32
		Offset, Vaddr, Paddr, Filesz, Memsz uint64
		Align                               uint64
	}{1, 5, 0, base, base, size, size, 0x1000})
	b.Write(code)
	return b.Bytes()
}

// TestStrictMode runs programs under -s: one that only writes and exits
// runs; one that calls getpid dies (SIGSYS, 253); and a usual program dies
// at its first call past execve.
func TestStrictMode(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	ok := filepath.Join(dir, "ok")
	bad := filepath.Join(dir, "getpid")
	if err := os.WriteFile(ok, tinyELF(false), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, tinyELF(true), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, nnp := range []bool{true, false} {
		j := New()
		if nnp {
			j.NoNewPrivs()
		}
		j.UseSeccomp()
		out, err := j.Command(context.Background(), ok).Output()
		if err != nil || string(out) != "ok\n" {
			t.Errorf("nnp=%v: write-only program under strict mode: %q, %v", nnp, out, err)
		}
		var ee *ExitError
		out, err = j.Command(context.Background(), bad).Output()
		if !errors.As(err, &ee) || ee.Status != StatusSeccompViolation || len(out) != 0 {
			t.Errorf("nnp=%v: getpid under strict mode: %q, %v; want status 253 and no output", nnp, out, err)
		}
		err = j.Command(context.Background(), "/bin/true").Run()
		if !errors.As(err, &ee) || ee.Status != StatusSeccompViolation {
			t.Errorf("nnp=%v: /bin/true under strict mode: %v; want status 253", nnp, err)
		}
	}
	// With a policy too, a call must pass both: write is in the strict set
	// but the policy refuses it.
	j := New()
	j.NoNewPrivs()
	j.UseSeccomp()
	if err := j.ParseSeccompFiltersFrom("nowrite.policy", bytes.NewReader([]byte("exit: 1\nwrite: return 1\n"))); err != nil {
		t.Fatal(err)
	}
	out, err := j.Command(context.Background(), ok).Output()
	if err != nil || len(out) != 0 {
		t.Errorf("strict mode with a policy refusing write: %q, %v; want no output, status 0", out, err)
	}
}
