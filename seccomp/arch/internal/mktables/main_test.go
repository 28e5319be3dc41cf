package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestRunReproducesCheckedInFiles runs the command's body into a temporary
// directory and compares every file with the checked-in copy in seccomp/arch.
func TestRunReproducesCheckedInFiles(t *testing.T) {
	out := t.TempDir()
	if err := run(out, "", ""); err != nil {
		t.Fatal(err)
	}
	written, err := filepath.Glob(filepath.Join(out, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 6 {
		t.Fatalf("wrote %d files, want 6", len(written))
	}
	for _, p := range written {
		name := filepath.Base(p)
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Errorf("%s not checked in: %v", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: generated output differs from the checked-in file", name)
		}
	}
}

func TestRunFlagErrors(t *testing.T) {
	if err := run(t.TempDir(), "/nonexistent", ""); err == nil {
		t.Error("-xsys without -version accepted")
	}
	if err := run(t.TempDir(), "/nonexistent", "v1"); err == nil {
		t.Error("missing x/sys directory accepted")
	}
	if err := run(filepath.Join(t.TempDir(), "missing", "dir"), "", ""); err == nil {
		t.Error("unwritable output directory accepted")
	}
}
