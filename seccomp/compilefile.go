package seccomp

import (
	"fmt"
	"io"
)

// CompileFile reads the policy file at path (with its includes), lowers it
// with popts and compiles it with copts. It returns the lowered policy too,
// for callers that explain or inspect it.
func CompileFile(path string, popts ParseOptions, copts CompileOptions) (*Policy, Program, error) {
	p, err := ParseFile(path, popts)
	if err != nil {
		return nil, nil, err
	}
	prog, err := Compile(p, copts)
	if err != nil {
		return p, nil, fmt.Errorf("compiling %s: %w", path, err)
	}
	return p, prog, nil
}

// CompileReader is CompileFile for a policy read from r; name is used in
// positions and as the base of relative @include paths.
func CompileReader(name string, r io.Reader, popts ParseOptions, copts CompileOptions) (*Policy, Program, error) {
	p, err := Parse(name, r, popts)
	if err != nil {
		return nil, nil, err
	}
	prog, err := Compile(p, copts)
	if err != nil {
		return p, nil, fmt.Errorf("compiling %s: %w", name, err)
	}
	return p, prog, nil
}
